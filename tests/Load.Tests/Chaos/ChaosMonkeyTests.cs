using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vod.Load.Chaos;
using Vod.Load.Reporting;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Chaos;

/// <summary>
/// The monkey against real (harmless) processes this test starts, found through a temp PID directory, on a fake clock:
/// every signal is real, so a test sees the process stopped, continued or gone.
/// </summary>
public sealed class ChaosMonkeyTests
{
    [Fact]
    public async Task RunAsync_ThreeKinds_HitsEachInTurnAndContinuesEveryStop()
    {
        using var pids = new PidFiles();
        var origin1 = pids.Live("origin-1");
        pids.Dead("origin-2");
        var transcoder1 = pids.Live("transcoder-1");
        var edge1 = pids.Live("edge-1");
        var (monkey, recorder, time) = Monkey(pids, ["origin", "transcoder", "edge"], stop: true, restartAfter: TimeSpan.FromMilliseconds(500));

        await RunAsync(monkey, recorder, time, until: events => events.Count(e => e.Kind == "stop") == 3);

        var events = recorder.Snapshot().Events;
        Assert.Equal(["origin-1", "transcoder-1", "edge-1"], events.Where(e => e.Kind == "stop").Select(e => e.Target));
        Assert.Equal($"origin-1 (pid {origin1})", events.First(e => e.Kind == "stop").Text);
        Assert.Equal(3, events.Count(e => e.Kind == "continue"));
        Assert.Equal(new Dictionary<string, int> { ["origin"] = 1, ["transcoder"] = 1, ["edge"] = 1 }, monkey.KillsByKind);
        Assert.Equal(3, monkey.Hits);
        Assert.All(new[] { origin1, transcoder1, edge1 }, pid => Assert.NotEqual('T', ProcessSignals.State(pid)));
    }

    [Fact]
    public async Task RunAsync_OnlyProcessAlreadyStopped_SkipsItAndContinuesItAtTheEnd()
    {
        using var pids = new PidFiles();
        var origin1 = pids.Live("origin-1");
        var (monkey, recorder, time) = Monkey(pids, ["origin"], stop: true, restartAfter: TimeSpan.FromSeconds(5));

        var stoppedMeanwhile = false;
        await RunAsync(monkey, recorder, time, until: events =>
        {
            stoppedMeanwhile |= ProcessSignals.State(origin1) == 'T';
            return events.Any(e => e.Kind == "chaos-skip");
        });

        Assert.True(stoppedMeanwhile);
        Assert.Equal(["stop", "chaos-skip", "continue"], recorder.Snapshot().Events.Select(e => e.Kind));
        Assert.Equal(new Dictionary<string, int> { ["origin"] = 1 }, monkey.KillsByKind);
        Assert.NotEqual('T', ProcessSignals.State(origin1));
    }

    [Fact]
    public async Task RunAsync_Kill_KillsTheProcessAndLeavesTheRestartToTheSupervisor()
    {
        using var pids = new PidFiles();
        var transcoder1 = pids.Live("transcoder-1");
        var (monkey, recorder, time) = Monkey(pids, ["transcoder"], stop: false, restartAfter: TimeSpan.FromMilliseconds(500));

        await RunAsync(monkey, recorder, time, until: events => events.Any(e => e.Kind == "chaos-skip"));

        Assert.True(pids.Process(transcoder1).WaitForExit(5000));
        var kinds = recorder.Snapshot().Events.Select(e => e.Kind).ToList();
        Assert.Equal(["kill", "chaos-skip"], kinds); // the second round finds no live transcoder; nothing was restarted
        Assert.Equal(new Dictionary<string, int> { ["transcoder"] = 1 }, monkey.KillsByKind);
    }

    [Fact]
    public async Task RunAsync_Redis_HitsTheProcessThatAnswersRoleMaster()
    {
        using var replica = FakeRedis("slave");
        using var primary = FakeRedis("master");
        using var pids = new PidFiles();
        pids.Live("redis-1", $"redis-server 127.0.0.1:{Port(replica)}");
        var redis2 = pids.Live("redis-2", $"redis-server 127.0.0.1:{Port(primary)}");
        var (monkey, recorder, time) = Monkey(pids, ["redis"], stop: true, restartAfter: TimeSpan.FromMilliseconds(500));

        await RunAsync(monkey, recorder, time, until: events => events.Count(e => e.Kind == "stop") == 3);

        var stops = recorder.Snapshot().Events.Where(e => e.Kind == "stop").ToList();
        Assert.All(stops, e => Assert.Equal("redis-2", e.Target)); // a random pick would hit redis-1 about half the time
        Assert.Equal($"redis-2 (pid {redis2}, primary)", stops[0].Text);
    }

    [Theory]
    [InlineData("redis-server 127.0.0.1:6380", 6380)]
    [InlineData("redis-server *:6381", 6381)]
    [InlineData("redis-server [::1]:6382", 6382)]
    [InlineData("redis-server\0--bind\0127.0.0.1\0--port\06383\0", 6383)]
    [InlineData("redis-server ::1", null)]
    [InlineData("sleep 60", null)]
    [InlineData("", null)]
    public void Port_ProcessTitleOrArguments_ReadsThePort(string commandLine, int? expected)
    {
        Assert.Equal(expected, RedisRole.Port(commandLine));
    }

    [Theory]
    [InlineData("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", "master")]
    [InlineData("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6380\r\n$9\r\nconnected\r\n:0\r\n", "slave")]
    [InlineData("-NOAUTH Authentication required.\r\n", null)]
    [InlineData("*3\r\n$6\r\nmas", null)]
    public void ParseRole_Replies_ReadsTheRole(string reply, string? expected)
    {
        Assert.Equal(expected, RedisRole.ParseRole(reply));
    }

    private static (ChaosMonkey Monkey, RunRecorder Recorder, FakeTimeProvider Time) Monkey(PidFiles pids, string[] kinds, bool stop, TimeSpan restartAfter)
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(60));
        var targets = kinds.Select(k => new ChaosKind(k, () => PidDirectory.Live(pids.Directory, k))).ToList();
        return (new ChaosMonkey(targets, stop, TimeSpan.FromSeconds(1), restartAfter, restartCommand: null, recorder, time, new Random(1)), recorder, time);
    }

    /// <summary>Drives the fake clock in 50 ms steps; the run ends once <paramref name="until"/> holds, then recoveries finish.</summary>
    private static async Task RunAsync(ChaosMonkey monkey, RunRecorder recorder, FakeTimeProvider time, Func<IReadOnlyList<TimelineEvent>, bool> until)
    {
        using var runEnd = new CancellationTokenSource();
        var run = monkey.RunAsync(runEnd.Token);
        for (var step = 0; step < 2000 && !run.IsCompleted; step++)
        {
            await Task.Delay(2);
            if (!runEnd.IsCancellationRequested && until(recorder.Snapshot().Events))
            {
                await runEnd.CancelAsync();
            }

            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(run.IsCompleted, "the monkey did not finish within 100 s of fake time");
        await run;
    }

    /// <summary>A TCP server on 127.0.0.1 that answers every command with a ROLE reply of <paramref name="role"/>.</summary>
    private static TcpListener FakeRedis(string role)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var reply = Encoding.ASCII.GetBytes($"*3\r\n${role.Length}\r\n{role}\r\n:0\r\n*0\r\n");
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync();
                    var stream = client.GetStream();
                    var buffer = new byte[64];
                    _ = await stream.ReadAsync(buffer);
                    await stream.WriteAsync(reply);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // the listener was stopped
            }
        });
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
