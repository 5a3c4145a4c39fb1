// Light or dark: the browser's preference unless the person picked one here (kept in localStorage).
// Loaded in <head> without defer so the theme is set before the first paint (no flash).
(function () {
  'use strict';
  var KEY = 'sda-theme';
  var root = document.documentElement;
  var stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* storage blocked: follow the system */ }
  var system = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function current() { return stored === 'light' || stored === 'dark' ? stored : (system && !system.matches ? 'light' : 'dark'); }
  function apply() {
    root.dataset.theme = current();
    var button = document.getElementById('theme-toggle');
    if (button) {
      var next = current() === 'dark' ? 'light' : 'dark';
      button.textContent = next === 'dark' ? '☾ Dark' : '☀ Light';
      button.setAttribute('aria-label', 'Switch to the ' + next + ' theme');
    }
    document.dispatchEvent(new CustomEvent('sda:theme', { detail: { theme: current() } }));
  }
  apply();
  if (system && system.addEventListener) system.addEventListener('change', function () { if (!stored) apply(); });

  document.addEventListener('DOMContentLoaded', function () {
    var button = document.getElementById('theme-toggle');
    if (!button) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      stored = current() === 'dark' ? 'light' : 'dark';
      try { localStorage.setItem(KEY, stored); } catch (e) { /* not kept, but applied for this page */ }
      apply();
    });
    apply();
  });
})();
