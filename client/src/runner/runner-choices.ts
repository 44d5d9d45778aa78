/**
 * What the runner offers to choose from, read from the workspace services: the workflow files of
 * every folder, and a workflow's targets (its working copy, its channels, published versions,
 * newest snapshots).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import {
  ChannelsRequest,
  VersionsRequest,
  WorkflowsRequest,
} from '../../../core/src/service/protocol.js';
import type { Services } from '../service/services.js';
import { relativeAge } from '../status/relative-age.js';
import { WORKING_COPY, type TargetChoice, type WorkflowChoice } from './runner-state.js';

/** Snapshots offered as targets: the newest ones (older ones stay runnable by ref in the CLI). */
const SNAPSHOT_TARGETS = 10;

/** The workflow files of every served folder, by folder then path. */
export async function workflowChoices(services: Services): Promise<WorkflowChoice[]> {
  const choices: WorkflowChoice[] = [];
  for (const { client, folder } of services.all()) {
    const { workflows } = await client.request(WorkflowsRequest);
    for (const workflow of workflows) {
      if (workflow.file === undefined) continue;
      choices.push({
        uri: vscode.Uri.file(workflow.file).toString(),
        folder: folder.uri.toString(),
        name: workflow.name,
        label: path.relative(folder.uri.fsPath, workflow.file).split(path.sep).join('/'),
      });
    }
  }
  return choices;
}

/**
 * The targets a workflow can run: its working copy, its channels, then its versions (newest first,
 * as served).
 */
export async function targetChoices(
  services: Services,
  workflow: WorkflowChoice,
  now: Date,
): Promise<TargetChoice[]> {
  const working: TargetChoice = {
    group: 'Working Copy',
    ref: WORKING_COPY,
    label: 'Working copy',
    description: workflow.label,
  };
  const client = services.forFolder(workflow.folder);
  if (!client || workflow.name === undefined) return [working];
  const [{ versions }, { channels }] = await Promise.all([
    client.request(VersionsRequest, { workflow: workflow.name }),
    client.request(ChannelsRequest, { workflow: workflow.name }),
  ]);
  // A channel routes each run by its input, as `lockstep run name@channel` does.
  const routed = channels
    .filter((c) => c.stable !== undefined)
    .map((c): TargetChoice => ({
      group: 'Channels',
      ref: `${workflow.name}@${c.channel}`,
      label: c.channel,
      description: c.summary,
    }));
  const published = versions
    .filter((v) => v.seq !== undefined)
    .map((v): TargetChoice => ({
      group: 'Published Versions',
      ref: `${workflow.name}@${v.seq}`,
      label: `v${v.seq}`,
      description: v.message ?? relativeAge(new Date(v.publishedAt ?? v.createdAt), now),
    }));
  const snapshots = versions
    .filter((v) => v.seq === undefined)
    .slice(0, SNAPSHOT_TARGETS)
    .map((v): TargetChoice => ({
      group: 'Snapshots',
      ref: `${workflow.name}@${v.id}`,
      label: `@${v.id.slice(7, 15)}`,
      description: relativeAge(new Date(v.createdAt), now),
    }));
  return [working, ...routed, ...published, ...snapshots];
}
