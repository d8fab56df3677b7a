using System.Globalization;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command line (README "Load testing" documents every option and its default).</summary>
internal sealed record LoadOptions
{
    public static readonly string[] Scenarios = ["steady", "flash-crowd", "chaos", "throughput"];

    public required string Scenario { get; init; }
    public int Viewers { get; init; } = 50;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public Uri Origin { get; init; } = new("http://127.0.0.1:5100");
    public IReadOnlyList<string> Titles { get; init; } = [];
    public string? JsonFile { get; init; }
    public string? HtmlFile { get; init; }

    /// <summary>Viewers start evenly spread over this time; null = the scenario's default (steady/chaos 10 s, flash-crowd 3 s).</summary>
    public TimeSpan? Ramp { get; init; }
    public ViewerSettings Viewer { get; init; } = new();
    public Thresholds Thresholds { get; init; } = new();
    public int Seed { get; init; } = Environment.TickCount;

    // chaos
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RestartAfter { get; init; } = TimeSpan.FromSeconds(5);
    public string KillSignal { get; init; } = "KILL";
    public IReadOnlyDictionary<string, int> EdgePids { get; init; } = new Dictionary<string, int>();
    public string PidFile { get; init; } = "run/pids/{edge}.pid";
    public string? RestartCommand { get; init; }

    // flash-crowd
    public string? AdminKey { get; init; }

    // throughput
    public int Connections { get; init; } = 32;
    public Uri? Url { get; init; }
    public long? RangeBytes { get; init; }

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            throw new UsageException("a scenario is required");
        }

        var scenario = args[0];
        if (!Scenarios.Contains(scenario))
        {
            throw new UsageException($"unknown scenario '{scenario}' (one of {string.Join(", ", Scenarios)})");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = eq > 0 ? (arg[2..eq], arg[(eq + 1)..])
                : i + 1 < args.Count ? (arg[2..], args[++i])
                : throw new UsageException($"option {arg} needs a value");
            if (!Known.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }

            values[name] = value;
        }

        string? Get(string name) => values.GetValueOrDefault(name);
        var viewer = new ViewerSettings(
            StartSegments: Int(Get("start-segments"), 2, 1),
            MaxBufferSeconds: Get("max-buffer") is { } mb ? ParseDuration(mb, "max-buffer").TotalSeconds : 10,
            WatchSeconds: Get("watch") is { } w ? ParseDuration(w, "watch").TotalSeconds : null);
        var thresholds = new Thresholds(
            MaxFailed: Int(Get("max-failed"), 0, 0),
            MaxRebufferRatio: Get("max-rebuffer-ratio") is { } r ? Double(r, "max-rebuffer-ratio") : null,
            MaxStartupP95Ms: Get("max-startup-p95") is { } p ? ParseDuration(p, "max-startup-p95").TotalMilliseconds : null,
            MaxOriginFetchesPerSlice: Get("max-origin-fetch-ratio") is { } f ? Double(f, "max-origin-fetch-ratio") : null);
        var signal = (Get("kill-signal") ?? "KILL").ToUpperInvariant();
        if (signal is not ("KILL" or "STOP"))
        {
            throw new UsageException("--kill-signal is KILL or STOP");
        }

        var origin = ParseUrl(Get("origin") ?? "http://127.0.0.1:5100", "origin");
        return new LoadOptions
        {
            Scenario = scenario,
            Viewers = Int(Get("viewers"), 50, 1),
            Duration = Get("duration") is { } d ? ParseDuration(d, "duration") : TimeSpan.FromSeconds(60),
            Origin = origin,
            Titles = Get("titles")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            JsonFile = Get("json"),
            HtmlFile = Get("html"),
            Ramp = Get("ramp") is { } ramp ? ParseDuration(ramp, "ramp") : null,
            Viewer = viewer,
            Thresholds = thresholds,
            Seed = Get("seed") is { } seed ? Int(seed, 0, int.MinValue) : Environment.TickCount,
            KillEvery = Get("kill-every") is { } k ? ParseDuration(k, "kill-every") : TimeSpan.FromSeconds(15),
            RestartAfter = Get("restart-after") is { } ra ? ParseDuration(ra, "restart-after") : TimeSpan.FromSeconds(5),
            KillSignal = signal,
            EdgePids = Get("edge-pids") is { } pids ? EdgePidMap(pids) : new Dictionary<string, int>(),
            PidFile = Get("pid-file") ?? "run/pids/{edge}.pid",
            RestartCommand = Get("restart-command"),
            AdminKey = Get("admin-key") ?? Environment.GetEnvironmentVariable("VOD_ADMIN_KEY"),
            Connections = Int(Get("connections"), 32, 1),
            Url = Get("url") is { } u ? ParseUrl(u, "url") : null,
            RangeBytes = Get("range-bytes") is { } rb ? Int(rb, 0, 1) : null,
        } is var options && options.Duration <= TimeSpan.Zero
            ? throw new UsageException("--duration must be positive")
            : options;
    }

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "viewers", "duration", "origin", "titles", "json", "html", "ramp", "start-segments", "max-buffer", "watch",
        "max-failed", "max-rebuffer-ratio", "max-startup-p95", "max-origin-fetch-ratio", "seed",
        "kill-every", "restart-after", "kill-signal", "edge-pids", "pid-file", "restart-command",
        "admin-key", "connections", "url", "range-bytes",
    };

    /// <summary><c>60s</c>, <c>500ms</c>, <c>2m</c>, or a plain number of seconds.</summary>
    internal static TimeSpan ParseDuration(string value, string option)
    {
        var (number, scale) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : (value, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? TimeSpan.FromSeconds(n * scale)
            : throw new UsageException($"--{option}: '{value}' is not a duration (e.g. 60s, 500ms, 2m)");
    }

    private static int Int(string? value, int fallback, int min) =>
        value is null ? fallback
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min ? n
        : throw new UsageException($"'{value}' is not an integer ≥ {min}");

    private static double Double(string value, string option) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new UsageException($"--{option}: '{value}' is not a non-negative number");

    private static Uri ParseUrl(string value, string option)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new UsageException($"--{option}: '{value}' is not an absolute URL");
        }

        return Loopback.IsLoopback(uri) ? uri : throw new UsageException(
            $"--{option} {uri}: only loopback addresses (127.0.0.0/8, ::1, localhost) may be load-tested");
    }

    private static Dictionary<string, int> EdgePidMap(string value)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=');
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || pid <= 1)
            {
                throw new UsageException($"--edge-pids: '{pair}' is not <edge id>=<pid>");
            }

            map[parts[0]] = pid;
        }

        return map;
    }

    public const string Usage = """
        usage: dotnet run -c Release --project load -- <scenario> [options]
          scenarios: steady | flash-crowd | chaos | throughput
          --viewers N (50)  --duration 60s  --origin http://127.0.0.1:5100  --titles id,id (every ready title)
          --json FILE  --html FILE  --ramp T (steady/chaos 10s, flash-crowd 3s)  --watch T (to the end)
          --start-segments N (2)  --max-buffer T (10s)  --seed N
          --max-failed N (0)  --max-rebuffer-ratio R  --max-startup-p95 T  --max-origin-fetch-ratio R (flash-crowd)
          chaos: --kill-every 15s --restart-after 5s --kill-signal KILL|STOP
                 --edge-pids edge-1=PID,...  or  --pid-file 'run/pids/{edge}.pid' (default)
                 --restart-command 'run/edges/{edge}.sh' (KILL only; default when that file exists)
          flash-crowd: --admin-key KEY (or VOD_ADMIN_KEY): purge the title on every edge first
          throughput: --connections 32  --url URL (default: the first segment via the first edge)  --range-bytes N
        exit codes: 0 pass, 1 a pass criterion failed, 2 usage error (incl. a non-loopback target)
        """;
}
