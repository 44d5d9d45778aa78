import * as vscode from 'vscode';
import { RunDetailsRequest } from '../../../../core/src/service/protocol.js';
import { COMMANDS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { reportFailure } from '../../error-report.js';
import type { RunNode } from '../../views/history/nodes/run-node.js';

/** A run's Copy actions in History: its id, its input as JSON. */
export function registerRunActions(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.copyRunId, async (node: RunNode) => {
      await vscode.env.clipboard.writeText(node.run.id);
      vscode.window.setStatusBarMessage(`Copied run id ${node.run.id}`, 3_000);
    }),
    vscode.commands.registerCommand(COMMANDS.copyRunInput, async (node: RunNode) => {
      try {
        const details = await node.parent.client.request(RunDetailsRequest, { id: node.run.id });
        await vscode.env.clipboard.writeText(JSON.stringify(details.input, null, 2));
        vscode.window.setStatusBarMessage('Copied the run’s input as JSON', 3_000);
      } catch (error) {
        await reportFailure(ctx.output, 'Copying the run’s input', error);
      }
    }),
  );
}
