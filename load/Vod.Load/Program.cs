// The load-test tool: virtual viewers with quality-of-experience figures (scenarios steady, flash-crowd, chaos,
// throughput). It has no scenarios yet; until it does, it says so and exits non-zero rather than pretend to measure.
// For raw cache-hit throughput against nginx and Varnish today, use bench/edge-vs-peers.sh.
Console.Error.WriteLine("vod-load: no scenarios are implemented yet; see bench/edge-vs-peers.sh for cache-hit throughput.");
return 2;
