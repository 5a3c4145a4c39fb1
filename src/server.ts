import dotenv from 'dotenv';
import { startServer } from './bootstrap';
import { ConfigError, readEnvironment } from './config';

/** Entry point: `node dist/src/server.js` (npm start, pm2). */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const settings = readEnvironment(process.env);
  // pm2 sets `instances` for every worker in cluster mode.
  const workers = process.env.exec_mode === 'cluster_mode' ? Number(process.env.instances) || 1 : 1;
  const running = await startServer(settings, { clusterWorkers: workers });
  // One plain line among the JSON logs, for the person watching the terminal.
  console.log(`Open ${running.config.publicUrl} in your browser (Ctrl-C stops the app)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      running.logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    running.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // pm2 graceful reload on Windows and some setups sends a message instead of a signal.
  process.on('message', (msg) => msg === 'shutdown' && stop('shutdown'));
  process.send?.('ready');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Start-up failed:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
