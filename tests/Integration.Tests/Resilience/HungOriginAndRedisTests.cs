using System.Globalization;
using System.Net;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Resilience;

/// <summary>
/// No single point of failure against hung processes (SIGSTOP: connections accepted, nothing answered, the gray
/// failure that time-outs must catch): the load tool's own chaos stops an origin and the Redis primary in turn,
/// through pid files as run.sh writes them, while viewers play and a clip is uploaded.
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class HungOriginAndRedisTests(ResilientStackFixture fixture) : IClassFixture<ResilientStackFixture>, IDisposable
{
    private readonly StackFixture _stack = fixture.Stack;
    private readonly string _pids = Directory.CreateTempSubdirectory("vod-pids-").FullName;

    [Fact]
    public async Task Chaos_OriginAndRedisPrimaryStopped_NoSessionFailsAndTheUploadIsReady()
    {
        var watched = await _stack.UploadAndWaitAsync(await Media.ClipAsync(Path.Combine(_stack.Work, "watched.mp4"), 640, 360, 16));
        for (var i = 0; i < _stack.Origins.Count; i++)
        {
            WritePid($"origin-{i + 1}", _stack.Origins[i].Pid);
        }

        for (var i = 0; i < _stack.Sentinel!.Nodes.Count; i++)
        {
            WritePid($"redis-{i + 1}", _stack.Sentinel.Nodes[i].Pid);
        }

        var primaryBefore = await _stack.Sentinel.PrimaryPortAsync();
        // Hits at 8, 16 and 24 s: origin, Redis primary, origin. One Redis stop only (a run of 32 s could land a second
        // one at its very end, failing the primary back to where it started).
        using var load = new LoadRun();
        var exit = await load.RunAsync(TimeSpan.FromSeconds(240), "chaos", "--viewers", "6", "--duration", "30s", "--ramp", "3s",
            "--titles", watched.Id, "--origin", string.Join(",", _stack.Origins.Select(o => o.BaseUrl)),
            "--targets", "origin,redis", "--kill-signal", "STOP", "--kill-every", "8s", "--restart-after", "6s", "--pid-dir", _pids,
            "--uploads", "1", "--admin-key", StackFixture.AdminKey, "--upload-timeout", "150s", "--seed", "7");

        var report = load.Report;
        var context = $"exit {exit}\n{load.Output}";
        Assert.True(exit == 0, context);
        Assert.Equal(0, report.GetProperty("sessions").GetProperty("failed").GetInt64());
        Assert.Equal(0, report.GetProperty("rebuffer").GetProperty("count").GetInt64());
        var kills = report.GetProperty("chaos").GetProperty("kills_by_kind");
        Assert.True(kills.GetProperty("origin").GetInt32() >= 1, context);
        Assert.True(kills.GetProperty("redis").GetInt32() >= 1, context);
        var uploads = report.GetProperty("uploads");
        Assert.Equal(1, uploads.GetProperty("ready").GetInt32());
        Assert.Equal(0, uploads.GetProperty("failed").GetInt32());

        // The stopped Redis primary was replaced: the Sentinels moved the primary, and the old one rejoined as a replica.
        Assert.NotEqual(primaryBefore, await _stack.Sentinel.PrimaryPortAsync());
        var old = _stack.Sentinel.Nodes.Single(n => n.Port == primaryBefore);
        await Eventually.TrueAsync(async () => await RedisSentinelSet.RoleAsync(old) == "slave", TimeSpan.FromSeconds(30),
            "the continued old primary did not rejoin as a replica");

        // The stack is whole: every process was continued and answers.
        foreach (var service in _stack.Origins.Concat(_stack.Edges).Concat(_stack.Transcoders))
        {
            Assert.NotEqual("T", ProcessState(service.Pid));
        }

        foreach (var origin in _stack.Origins)
        {
            using var health = await _stack.Http.GetAsync($"{origin.BaseUrl}/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    private void WritePid(string name, int pid) =>
        File.WriteAllText(Path.Combine(_pids, $"{name}.pid"), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>The state letter of /proc/{pid}/stat ("S" sleeping, "R" running, "T" stopped).</summary>
    private static string ProcessState(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
    }

    public void Dispose() => Directory.Delete(_pids, recursive: true);
}
