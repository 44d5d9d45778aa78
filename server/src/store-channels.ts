/**
 * The channel names a workspace's store knows, offered in `workflow.version` completions.
 *
 * The seam exists before the data: the `Store` interface has no channels yet (they arrive with
 * routing), so today every workspace has none. When the store gains a way to list channels,
 * `storeChannelNames` reads it and nothing else changes.
 */

/** Lists the channel names of the workspace whose `.lockstep` folder is `storeDir`. */
export type ChannelSource = (storeDir: string) => Promise<readonly string[]>;

/** The store's channels: none, until the store exposes channels. */
export const storeChannelNames: ChannelSource = async () => [];
