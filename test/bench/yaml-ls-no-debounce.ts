/**
 * Starts yaml-language-server 1.19 with its validation debounce at 0 ms, for the compute-time
 * comparison. It has no setting or initialization option for the debounce: `validationDelayMs`
 * is a field that `SettingsState`'s constructor fixes at 200 (out/server/src/yamlSettings.js),
 * read by the validation handler each time it schedules a validation. The server module looks
 * `SettingsState` up on its exports object when it starts, so replacing that export with a
 * subclass that sets the field to 0 changes nothing else. Run: node <this file> --stdio
 */
import { requireReference } from './references.js';

interface SettingsModule {
  SettingsState: new () => { validationDelayMs: number };
}

const require = requireReference;
const settings = require('yaml-language-server/out/server/src/yamlSettings.js') as SettingsModule;
const Original = settings.SettingsState;
settings.SettingsState = class extends Original {
  constructor() {
    super();
    this.validationDelayMs = 0;
  }
};
require('yaml-language-server/out/server/src/server.js');
