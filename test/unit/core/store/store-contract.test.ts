// Every store backend passes the same contract: the memory store and the file store.
import path from 'node:path';
import { openFsStore } from '../../../../core/src/node/store/fs-store.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import { tempDir } from '../../../helpers/temp.js';
import { channelContract } from './channel-contract.js';
import { storeContract, type OpenStore } from './contract.js';

const memory: OpenStore = async () => new MemoryStore();
const files: OpenStore = async (t) =>
  openFsStore(path.join(tempDir(t), '.lockstep'), { create: true });

storeContract('MemoryStore', memory);
storeContract('file store', files);
channelContract('MemoryStore', memory);
channelContract('file store', files);
