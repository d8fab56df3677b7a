namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// The test classes that measure time (failover within a bound, no stall over 2 s, a fill under a second) or kill and
/// hang processes on purpose. Collections run two at a time (<c>xunit.runner.json</c>); these run one at a time, after
/// the others, so no other test's transcodes and browsers load the box while they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialDefinition
{
    public const string Name = "serial";
}
