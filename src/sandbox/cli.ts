/**
 * Standalone sandbox:
 *   node dist/src/sandbox/cli.js --port N [--host H] [--profile extended|development] [--catalog F.csv]
 *     [--latency-ms N] [--fail-rate P] [--rate-limit N] [--token-ttl S] [--quirks]
 * Bad arguments: one line on stderr, exit code 2.
 */
import { existsSync } from 'node:fs';
import { startSandbox, type SandboxOptions } from './index';

type CliOptions = SandboxOptions & { port?: number; host?: string };

function usageError(message: string): never {
  process.stderr.write(`sandbox: ${message} (usage: --port N [--host H] [--profile extended|development] [--catalog F.csv] [--latency-ms N] [--fail-rate P] [--rate-limit N] [--token-ttl S] [--quirks])\n`);
  process.exit(2);
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = {};
  const int = (flag: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) usageError(`${flag} must be an integer between ${min} and ${max}, got "${v}"`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) usageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': opts.port = int(flag, value(), 0, 65535); break;
      case '--host': opts.host = value(); break;
      case '--profile': {
        const v = value();
        if (v !== 'extended' && v !== 'development') usageError(`--profile must be extended or development, got "${v}"`);
        opts.profile = v;
        break;
      }
      case '--catalog': {
        const v = value();
        if (!existsSync(v)) usageError(`--catalog file not found: ${v}`);
        opts.catalogFile = v;
        break;
      }
      case '--latency-ms': opts.latencyMs = int(flag, value(), 0, 600_000); break;
      case '--fail-rate': {
        const v = value();
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) usageError(`--fail-rate must be a number between 0 and 1, got "${v}"`);
        opts.failRate = n;
        break;
      }
      case '--rate-limit': opts.rateLimit = int(flag, value(), 1); break;
      case '--token-ttl': opts.tokenTtlSeconds = int(flag, value(), 1); break;
      case '--quirks':
        // A switch: "--quirks=..." would be a typo for something else.
        if (inline !== undefined) usageError('--quirks takes no value');
        opts.quirks = true;
        break;
      case '--help': case '-h':
        process.stdout.write('Usage: sandbox --port N [--host H] [--profile extended|development] [--catalog F.csv] [--latency-ms N] [--fail-rate P] [--rate-limit N] [--token-ttl S] [--quirks]\n');
        process.exit(0);
        break;
      default: usageError(`unknown argument "${argv[i]}"`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const sandbox = await startSandbox(opts);
  process.stdout.write(
    `Spotify sandbox (${opts.profile ?? 'development'} profile${opts.quirks ? ', real-service quirks' : ''}, ${sandbox.catalog.source} catalog: ${sandbox.catalog.artists.size} artists, ` +
    `${sandbox.catalog.tracks.size} tracks, ready in ${Date.now() - started} ms) accounts ${sandbox.url} api ${sandbox.url}/v1 ` +
    `reccobeats ${sandbox.url}/reccobeats musicbrainz ${sandbox.url}/musicbrainz\n`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    sandbox.close().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`sandbox: error while closing on ${signal}: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
