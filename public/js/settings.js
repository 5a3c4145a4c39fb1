// Suggests the browser's time zone when the saved one is still the default.
(function () {
  'use strict';
  var select = document.getElementById('tz-select');
  if (!select) return;
  var browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (browser && select.dataset.current === 'UTC' && browser !== 'UTC') {
    var hint = document.getElementById('tz-hint');
    hint.textContent = 'Your browser says ' + browser + '.';
    for (var i = 0; i < select.options.length; i++) if (select.options[i].value === browser) select.selectedIndex = i;
  }
})();
