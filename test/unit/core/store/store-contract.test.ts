// Every store backend passes the same contract: the memory store, the file store and the
// PostgreSQL store (a real server: test/helpers/postgres.ts).
import path from 'node:path';
import { openFsStore } from '../../../../core/src/node/store/fs-store.js';
import { openPgStore } from '../../../../core/src/node/store/postgres/pg-store.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import { freshDatabase } from '../../../helpers/postgres.js';
import { tempDir } from '../../../helpers/temp.js';
import { channelContract } from './channel-contract.js';
import { storeContract, type OpenStore } from './contract.js';

const memory: OpenStore = async () => new MemoryStore();
const files: OpenStore = async (t) =>
  openFsStore(path.join(tempDir(t), '.lockstep'), { create: true });
const postgres: OpenStore = async (t) => openPgStore(await freshDatabase(t), { create: true });

storeContract('MemoryStore', memory);
storeContract('file store', files);
storeContract('PostgreSQL store', postgres);
channelContract('MemoryStore', memory);
channelContract('file store', files);
channelContract('PostgreSQL store', postgres);
