/**
 * The load generator of the load benchmark, in a process of its own, so the app's memory and CPU
 * figures do not include autocannon's. Takes autocannon's options as JSON in argv[2]; prints the
 * result's figures as one JSON line.
 */
import autocannon from 'autocannon';

async function main(): Promise<void> {
  const result = await autocannon(JSON.parse(process.argv[2]) as autocannon.Options);
  const { requests, latency, errors, timeouts, non2xx } = result;
  process.stdout.write(`${JSON.stringify({ requests, latency, errors, timeouts, non2xx })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
