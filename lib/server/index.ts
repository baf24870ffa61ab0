// faultline/server: the HTTP face of a ShardGroup (filled in by the shards and server work).
export {};
