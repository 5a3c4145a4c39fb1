// pm2 process file: `npm run start:pm2` (builds, then `pm2 start ecosystem.config.js`).
// Embedded DynamoDB (demo mode without DYNAMODB_ENDPOINT/AWS_REGION) is single-process: keep
// PM2_INSTANCES at 1 there. With AWS or an endpoint, set PM2_INSTANCES=max (or a number) for cluster mode.
const instances = process.env.PM2_INSTANCES || '1';

module.exports = {
  apps: [
    {
      name: 'spotify-data-app',
      script: 'dist/src/server.js',
      // A bounded V8 heap makes the garbage collector keep memory flat (see BENCHMARKS.md).
      node_args: '--max-old-space-size=384',
      cwd: __dirname,
      exec_mode: instances === '1' ? 'fork' : 'cluster',
      instances,
      env: { NODE_ENV: 'production' },
      // Restart policy: back off when crashing in a loop, and restart a worker that leaks memory.
      autorestart: true,
      max_restarts: 20,
      min_uptime: '10s',
      exp_backoff_restart_delay: 200,
      max_memory_restart: '512M',
      // Graceful shutdown: SIGINT, then 12 s to finish in-flight requests (the app gives itself 10 s).
      kill_timeout: 12000,
      wait_ready: true,
      listen_timeout: 30000,
      // Logs (JSON lines from pino) under ./logs, merged across cluster workers.
      out_file: './logs/out.log',
      error_file: './logs/error.log',
      merge_logs: true,
      time: false,
    },
  ],
};
