// The host side of shards (main thread): what faultline/server exports. The worker side, attachShard(), is
// exported from the package root and lives in ./attach-shard, which imports nothing from here.
export { ShardGroup } from './shard-group';
export { ShardApplyError, ShardAttachError, ShardGroupClosedError, ShardGroupOptionError } from './errors';
export type {
  AddWorkerOptions,
  BroadcastResult,
  EventsOptions,
  GroupGap,
  GroupHandlerEvent,
  GroupHit,
  GroupItem,
  GroupShardDown,
  GroupControl,
  ControlNotice,
  ControlOp,
  ParkedHandlers,
  ShardGroupOptions,
  ShardInfo,
} from './types';
