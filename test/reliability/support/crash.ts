import { expect } from 'vitest';
import type { PrismaClient } from '../../../server/generated/prisma/client.ts';
import { freePort, ServerProcess } from '../../support/processes.ts';
import { createTeam, sleep } from './http.ts';
import { ledgerViolations } from './ledger-invariants.ts';
import { Workload } from './workload.ts';

/**
 * Crash: a server process under a mixed write load with idempotency keys is killed with SIGKILL
 * at random moments (every fourth restart is also killed once while still starting) and started
 * again on the same data; the clients keep retrying with the same keys. Afterwards every answered
 * write is in the database with its effect, nothing happened twice, a replay of every key gets
 * the first answer back, and the ledger's invariants hold. `open` opens the data once the last
 * server has stopped.
 */
export async function crashLoop(
  count: number,
  env: Record<string, string>,
  open: () => Promise<{ prisma: PrismaClient; close(): Promise<void> }>,
  { writers = 8, loadMs = [500, 3_500] }: { writers?: number; loadMs?: [number, number] } = {},
) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const spawn = () =>
    new ServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: 'never',
      LOG_LEVEL: 'info',
      JOBS: 'off',
      ...env,
    });
  const start = async () => {
    const server = spawn();
    await server.waitFor(/GraphiQL: ([^\s"]+)/, 60_000);
    return server;
  };
  /** A kill while the server is still starting (opening or recovering the database, migrating). */
  let startupKills = 0;
  const killDuringStartup = async () => {
    const server = spawn();
    await sleep(Math.floor(Math.random() * 2_500));
    if (!server.exitStatus && !/GraphiQL/.test(server.output)) startupKills++;
    server.child.kill('SIGKILL');
    await server.exited;
  };

  let server = await start();
  const team = await createTeam(url, 8, 5_000, 'Crash');
  const workload = new Workload({ urls: () => [url], team, writers: writers, giveUpMs: 180_000 });
  workload.start();
  const kills: { afterMs: number; answeredBefore: number; restartMs: number }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const afterMs = loadMs[0] + Math.floor(Math.random() * (loadMs[1] - loadMs[0]));
      await sleep(afterMs);
      const answeredBefore = workload.acked.length;
      server.child.kill('SIGKILL');
      await server.exited;
      if (i % 4 === 3) await killDuringStartup();
      const began = Date.now();
      server = await start();
      kills.push({ afterMs, answeredBefore, restartMs: Date.now() - began });
    }
    await sleep(1000);
  } finally {
    await workload.stop();
  }
  const replay = await workload.replay(url);
  await server.stop();
  const crashes = server.output.match(/Error|panic|FATAL/g);

  const db = await open();
  try {
    const violations = await ledgerViolations(db.prisma);
    const problems = await workload.verify(db.prisma, team.packages.length);
    const byOp = Object.entries(
      workload.acked.reduce<Record<string, number>>((a, x) => {
        const k = `${x.op} → ${x.result.__typename}`;
        a[k] = (a[k] ?? 0) + 1;
        return a;
      }, {}),
    );
    console.log(
      `${count} kills under load + ${startupKills} during start-up, ${workload.acked.length} writes answered (${workload.acked.filter((a) => a.attempts > 1).length} after retries),` +
        ` restart ${Math.min(...kills.map((k) => k.restartMs))}–${Math.max(...kills.map((k) => k.restartMs))} ms\n` +
        `  answers: ${byOp.map(([k, n]) => `${k}: ${n}`).join(', ')}\n` +
        `  unanswered sends: ${JSON.stringify(workload.unanswered)}`,
    );
    expect(kills).toHaveLength(count);
    expect(
      workload.acked.filter((a) => a.attempts > 1).length,
      'some writes were interrupted by a kill',
    ).toBeGreaterThan(0);
    expect(violations, 'ledger invariants').toEqual([]);
    expect(problems, 'answered writes vs database').toEqual([]);
    expect(replay, 'replays of answered keys').toEqual([]);
    // A kill must look like "no answer" to a client, never like a wrong answer.
    const masked = Object.keys(workload.unanswered).filter((k) => !k.startsWith('network:'));
    expect(masked, 'answers that were errors instead of results').toEqual([]);
    expect(crashes, `errors in the last server's output:\n${server.output}`).toBeNull();
  } finally {
    await db.close();
  }
}
