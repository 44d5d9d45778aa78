/** `shell`: runs a command, only when the user allowed shell steps. */
import type { JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import { evaluateValue } from '../evaluate.js';
import { placement, type StepContext, type StepResult } from './run-step-body.js';

export async function runShellStep(context: StepContext): Promise<StepResult> {
  const { step, scope, functions, host, signal, path } = context;
  if (!host.shellAllowed) {
    throw new EngineError(
      'shell-not-allowed',
      `${context.field ?? `steps.${step.id}`}: shell steps are off; if you trust this workflow, allow them (lockstep run --allow-shell, or the editor's machine setting lockstep.allowShell)`,
    );
  }
  const where = context.field ?? `steps.${step.id}.shell`;
  const shell = step.shell!;
  const config = typeof shell === 'string' ? { run: shell } : shell;
  const { env, ...command } = config;
  const rendered = (await evaluateValue(
    command as unknown as JsonValue,
    scope,
    functions,
    where,
  )) as { run: JsonValue; cwd?: JsonValue };
  // The declared environment is the one place a shell step may hold a secret.
  const placed = placement(context);
  const renderedEnv = (await evaluateValue(
    (env ?? {}) as unknown as JsonValue,
    scope,
    functions,
    `${where}.env`,
    placed,
  )) as { [name: string]: JsonValue };
  if (typeof rendered.run !== 'string' || rendered.run.trim() === '') {
    throw new EngineError('expression', `${where}: the command is empty`);
  }
  const request = {
    command: rendered.run,
    cwd: typeof rendered.cwd === 'string' ? rendered.cwd : '.',
    env: Object.fromEntries(Object.entries(renderedEnv).map(([k, v]) => [k, String(v ?? '')])),
  };
  const canonical = host.redact(request);
  const { response } = await host.effect(
    { path, kind: 'shell', request: canonical, live: request, secrets: [...placed.placed] },
    signal,
  );
  const result = response as { exitCode: number; stdout: string; stderr: string };
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-3).join(' / ');
    throw new EngineError(
      'exit-code',
      `${where}: \`${canonical.command}\` exited with code ${result.exitCode}${tail ? `: ${tail}` : ''}`,
      { exitCode: result.exitCode, stderr: result.stderr.slice(-4000) },
    );
  }
  return { output: result, input: canonical };
}
