/**
 * The floor `npm run bench:http` compares the service's liveness probe with (README,
 * "Benchmark"): a bare Fastify — no plugins, no hooks, no logger — answering the same body as
 * `GET /api/v1/health/live`, in its own process like the service. Started by the benchmark as
 * `node dist/tests/bench/bare-fastify.js <port>`; it says `listening` on stdout once it is.
 */
import fastify from 'fastify';

const port = Number(process.argv[2]);
const app = fastify();
app.get('/api/v1/health/live', () => ({ status: 'ok', info: {}, error: {}, details: {} }));
app.listen({ port, host: '127.0.0.1' }).then(
  () => process.stdout.write('listening\n'),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
