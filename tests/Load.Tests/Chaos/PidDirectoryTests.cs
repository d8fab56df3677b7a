using Vod.Load.Chaos;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Chaos;

public sealed class PidDirectoryTests
{
    [Fact]
    public void Live_SupervisorPidFiles_AnswersTheLiveProcessesOfTheKindOnly()
    {
        using var pids = new PidFiles();
        var origin1 = pids.Live("origin-1");
        pids.Dead("origin-2");
        pids.Write("origin-3", "being rewritten");
        pids.Write("origin-4", Environment.ProcessId); // a stale file must never aim at the tool itself
        var redis1 = pids.Live("redis-1");
        var sentinel1 = pids.Live("sentinel-1", "redis-server *:26379 [sentinel]");
        pids.Live("redis-sentinel-1");
        pids.Live("redis-3", "redis-server *:26380 [sentinel]"); // a Sentinel by its title, whatever its file says
        var edge1 = pids.Live("edge-1");

        Assert.Equal([new ChaosProcess("origin", "origin-1", origin1)], PidDirectory.Live(pids.Directory, "origin"));
        Assert.Equal([new ChaosProcess("redis", "redis-1", redis1)], PidDirectory.Live(pids.Directory, "redis"));
        Assert.Equal([new ChaosProcess("sentinel", "sentinel-1", sentinel1)], PidDirectory.Live(pids.Directory, "sentinel"));
        Assert.Equal([new ChaosProcess("edge", "edge-1", edge1)], PidDirectory.Live(pids.Directory, "edge"));
        Assert.Empty(PidDirectory.Live(pids.Directory, "transcoder"));
        Assert.Empty(PidDirectory.Live(Path.Combine(pids.Directory, "missing"), "origin"));
    }

    [Fact]
    public void Live_PidFileRewrittenAfterARestart_AnswersTheNewPid()
    {
        using var pids = new PidFiles();
        var first = pids.Live("transcoder-1");
        pids.Process(first).Kill();
        pids.Process(first).WaitForExit();

        Assert.Empty(PidDirectory.Live(pids.Directory, "transcoder"));

        var second = pids.Live("transcoder-1");
        Assert.Equal(second, Assert.Single(PidDirectory.Live(pids.Directory, "transcoder")).Pid);
    }
}
