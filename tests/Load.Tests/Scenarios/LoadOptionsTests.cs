using Vod.Load.Scenarios;
using Vod.Load.Viewer;

namespace Vod.Load.Tests.Scenarios;

public sealed class LoadOptionsTests
{
    [Fact]
    public void Parse_DocumentedCommand_ReadsEveryOption()
    {
        var options = LoadOptions.Parse(["steady", "--viewers", "200", "--duration", "60s", "--origin", "http://127.0.0.1:5100",
            "--titles", "a,b", "--json", "r.json", "--html=r.html", "--max-startup-p95", "1s", "--max-rebuffer-ratio", "0.01"]);

        Assert.Equal("steady", options.Scenario);
        Assert.Equal(200, options.Viewers);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(["a", "b"], options.Titles);
        Assert.Equal("r.json", options.JsonFile);
        Assert.Equal("r.html", options.HtmlFile);
        Assert.Equal(1000, options.Thresholds.MaxStartupP95Ms);
        Assert.Equal(0.01, options.Thresholds.MaxRebufferRatio);
        Assert.Equal(0, options.Thresholds.MaxFailed);
    }

    [Fact]
    public void Parse_ChaosOptions_ReadsSignalPidsAndDelays()
    {
        var options = LoadOptions.Parse(["chaos", "--kill-signal", "stop", "--edge-pids", "edge-1=1234,edge-2=5678", "--kill-every", "500ms", "--restart-after", "2"]);

        Assert.Equal("STOP", options.KillSignal);
        Assert.Equal(new Dictionary<string, int> { ["edge-1"] = 1234, ["edge-2"] = 5678 }, options.EdgePids);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.KillEvery);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RestartAfter);
    }

    [Fact]
    public void Parse_ChaosTargetsAndPidDir_ReadsKindsInTheOrderGiven()
    {
        var options = LoadOptions.Parse(["chaos", "--targets", "origin, Redis,edge,transcoder", "--pid-dir", "/tmp/pids", "--restart-command", "run/{name}.sh"]);

        Assert.Equal(["origin", "redis", "edge", "transcoder"], options.Targets);
        Assert.Equal("/tmp/pids", options.PidDirectory);
        Assert.Null(options.PidFile);
        Assert.Equal("run/{name}.sh", options.RestartCommand);
    }

    [Fact]
    public void Parse_CommaSeparatedOrigin_KeepsEveryEntryInOrder()
    {
        var options = LoadOptions.Parse(["steady", "--origin", "http://127.0.0.1:5101, http://localhost:5100"]);

        Assert.Equal([new Uri("http://127.0.0.1:5101"), new Uri("http://localhost:5100")], options.Origins);
        Assert.Equal(new Uri("http://127.0.0.1:5101"), options.Origin);
    }

    [Fact]
    public void Parse_Uploads_ReadsCountKeyAndTimeout()
    {
        var options = LoadOptions.Parse(["chaos", "--uploads", "3", "--admin-key", "k3y", "--upload-timeout", "2m"]);

        Assert.Equal(3, options.Uploads);
        Assert.Equal("k3y", options.AdminKey);
        Assert.Equal(TimeSpan.FromMinutes(2), options.UploadTimeout);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("steady", "--origin", "http://127.0.0.1:5100,http://10.0.0.5:5101")]
    [InlineData("steady", "--origin", ",")]
    [InlineData("chaos", "--targets", "edge,database")]
    [InlineData("chaos", "--targets", "origin,origin")]
    [InlineData("chaos", "--targets", "")]
    [InlineData("steady", "--uploads", "-1", "--admin-key", "k")]
    [InlineData("flash-crowd", "--uploads", "1", "--admin-key", "k")]
    [InlineData("steady", "--viewers", "0")]
    [InlineData("steady", "--bogus", "1")]
    [InlineData("steady", "--duration", "soon")]
    [InlineData("steady", "--viewers")]
    [InlineData("chaos", "--kill-signal", "TERM")]
    [InlineData("chaos", "--edge-pids", "edge-1")]
    [InlineData("steady", "--origin", "http://192.168.1.10:5100")]
    [InlineData("throughput", "--url", "http://example.com/x")]
    public void Parse_BadArguments_IsAUsageError(params string[] args)
    {
        Assert.Throws<UsageException>(() => LoadOptions.Parse(args));
    }

    [Fact]
    public void Parse_Defaults_AreTheDocumentedOnes()
    {
        var options = LoadOptions.Parse(["steady"]);

        Assert.Equal(50, options.Viewers);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(new Uri("http://127.0.0.1:5100"), options.Origin);
        Assert.Equal(new ViewerSettings(), options.Viewer);
        Assert.Equal(2, options.Viewer.StartSegments);
        Assert.Null(options.Ramp);
        Assert.Equal(TimeSpan.FromSeconds(15), options.KillEvery);
        Assert.Equal("KILL", options.KillSignal);
        Assert.Equal(["edge"], options.Targets);
        Assert.Equal("run/pids", options.PidDirectory);
        Assert.Null(options.PidFile);
        Assert.Null(options.RestartCommand); // a KILLed process is the supervisor's to restart
        Assert.Equal(0, options.Uploads);
        Assert.Equal(TimeSpan.FromSeconds(180), options.UploadTimeout);
    }

    [Fact]
    public async Task RunAsync_NonLoopbackOrigin_ExitsTwo()
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(TextWriter.Null) });

        Assert.Equal(2, await LoadTool.RunAsync(["steady", "--origin", "http://10.1.1.1:5100"], console, CancellationToken.None));
        Assert.Equal(2, await LoadTool.RunAsync(["steady", "--origin", "http://127.0.0.1:5100,http://10.1.1.1:5100"], console, CancellationToken.None));
    }
}
