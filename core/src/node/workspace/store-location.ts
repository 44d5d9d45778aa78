/**
 * Which store a workspace uses. In order: `--store <folder|url>`, LOCKSTEP_STORE, the config's
 * `store:` (a PostgreSQL URL), else the files of the workspace's `.lockstep/`. A URL from the
 * config is refused when it holds a password, because the config is committed and may come from
 * a stranger's pull request.
 */
import { StoreError } from '../../model/errors.js';
import { isStoreUrl, storeSettingProblem } from '../../validate/store-setting.js';

/** Where a store lives, and who chose it (for messages). */
export type StoreLocation =
  | { readonly kind: 'files'; readonly folder: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** `option` for `--store` or LOCKSTEP_STORE, `config` for the config's `store:`. */
      readonly chosenBy: 'option' | 'config';
    };

/** What the choice is made from. */
export interface StoreChoiceInput {
  /** `--store`, else LOCKSTEP_STORE: a folder or a URL, when either is set. */
  readonly option: string | undefined;
  /** The `.lockstep` folder the workspace would use for files (the option's, when a folder). */
  readonly storeDir: string;
  /** The config's `store:`, when it has one. */
  readonly configured: string | undefined;
  /** The config file, as messages name it. */
  readonly configFile: string;
}

/**
 * Chooses the store. An option that names a folder wins over the config too: whoever typed it
 * wants that folder.
 * @throws StoreError (`no-store`) naming the config file and `store:` when the configured URL
 *   cannot be used (not a PostgreSQL URL, or holding a password); the URL is never quoted.
 */
export function chooseStore(input: StoreChoiceInput): StoreLocation {
  const { option, configured } = input;
  if (option) {
    return isStoreUrl(option)
      ? { kind: 'postgres', url: option, chosenBy: 'option' }
      : { kind: 'files', folder: input.storeDir };
  }
  if (configured !== undefined) {
    const problem = storeSettingProblem(configured);
    if (problem !== undefined) {
      throw new StoreError('no-store', `${input.configFile}: store: ${problem}`);
    }
    return { kind: 'postgres', url: configured, chosenBy: 'config' };
  }
  return { kind: 'files', folder: input.storeDir };
}
