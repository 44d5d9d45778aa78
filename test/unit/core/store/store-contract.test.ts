// Every store backend passes the same contract: the memory store and the file store.
import path from 'node:path';
import { openFsStore } from '../../../../core/src/node/store/fs-store.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import { tempDir } from '../../../helpers/temp.js';
import { storeContract } from './contract.js';

storeContract('MemoryStore', async () => new MemoryStore());

storeContract('file store', async (t) =>
  openFsStore(path.join(tempDir(t), '.lockstep'), { create: true }),
);
