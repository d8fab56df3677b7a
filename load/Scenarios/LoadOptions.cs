using System.Globalization;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command line (docs/load-testing.md documents every option and its default).</summary>
internal sealed record LoadOptions
{
    /// <summary>What <c>chaos --targets</c> may name: the <c>&lt;kind&gt;-N.pid</c> files run.sh writes.</summary>
    public static readonly string[] ChaosKinds = ["edge", "origin", "redis", "transcoder", "sentinel"];

    public required string Scenario { get; init; }
    public int Viewers { get; init; } = 50;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The entry URLs (<c>--origin a,b</c>), tried in order: a viewer moves to the next one when a request fails.</summary>
    public IReadOnlyList<Uri> Origins { get; init; } = [new("http://127.0.0.1:5100")];

    /// <summary>The first entry.</summary>
    public Uri Origin => Origins[0];

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

    /// <summary>An explicit <c>--pid-file</c> template for edges (ids from <c>/api/edges</c>); null: <see cref="PidDirectory"/>.</summary>
    public string? PidFile { get; init; }

    /// <summary>Where the supervisor writes <c>&lt;kind&gt;-N.pid</c> (re-read at every hit).</summary>
    public string PidDirectory { get; init; } = "run/pids";

    /// <summary>The kinds the monkey hits, round robin in this order.</summary>
    public IReadOnlyList<string> Targets { get; init; } = ["edge"];

    /// <summary>Run after <see cref="RestartAfter"/> for a KILLed process; null: the supervisor restarts it.</summary>
    public string? RestartCommand { get; init; }

    // steady and chaos: clips uploaded during the run
    public int Uploads { get; init; }
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromSeconds(180);

    // flash-crowd (purge) and uploads
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

        var scenario = ScenarioRegistry.Require(args[0]);

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

        var origins = (Get("origin") ?? "http://127.0.0.1:5100")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(o => ParseUrl(o, "origin")).Distinct().ToList();
        if (origins.Count == 0)
        {
            throw new UsageException("--origin needs at least one URL");
        }

        var targets = ParseTargets(Get("targets"));
        var uploads = Int(Get("uploads"), 0, 0);
        var adminKey = Get("admin-key") ?? Environment.GetEnvironmentVariable("VOD_ADMIN_KEY");
        if (uploads > 0 && scenario is not ("steady" or "chaos"))
        {
            throw new UsageException("--uploads is for steady and chaos");
        }

        if (uploads > 0 && adminKey is not { Length: > 0 })
        {
            throw new UsageException("--uploads needs --admin-key (or VOD_ADMIN_KEY)");
        }

        return new LoadOptions
        {
            Scenario = scenario,
            Viewers = Int(Get("viewers"), 50, 1),
            Duration = Get("duration") is { } d ? ParseDuration(d, "duration") : TimeSpan.FromSeconds(60),
            Origins = origins,
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
            PidFile = Get("pid-file"),
            PidDirectory = Get("pid-dir") ?? "run/pids",
            Targets = targets,
            RestartCommand = Get("restart-command"),
            Uploads = uploads,
            UploadTimeout = Get("upload-timeout") is { } ut ? ParseDuration(ut, "upload-timeout") : TimeSpan.FromSeconds(180),
            AdminKey = adminKey,
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
        "kill-every", "restart-after", "kill-signal", "edge-pids", "pid-file", "pid-dir", "targets", "restart-command",
        "uploads", "upload-timeout", "admin-key", "connections", "url", "range-bytes",
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

    private static List<string> ParseTargets(string? value)
    {
        var kinds = (value ?? "edge").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => k.ToLowerInvariant()).ToList();
        if (kinds.Count == 0 || kinds.Any(k => !ChaosKinds.Contains(k)))
        {
            throw new UsageException($"--targets: '{value}' is not a list of {string.Join(", ", ChaosKinds)}");
        }

        return kinds.Count == kinds.Distinct().Count() ? kinds : throw new UsageException($"--targets: '{value}' names a kind twice");
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
          --viewers N (50)  --duration 60s  --titles id,id (every ready title)
          --origin URL,URL (http://127.0.0.1:5100): entries tried in order; the master, steering and catalog
                 requests move to the next entry on a network error, time-out or 5xx
          --json FILE  --html FILE  --ramp T (steady/chaos 10s, flash-crowd 3s)  --watch T (to the end)
          --start-segments N (2)  --max-buffer T (10s)  --seed N
          --max-failed N (0)  --max-rebuffer-ratio R  --max-startup-p95 T  --max-origin-fetch-ratio R (flash-crowd)
          chaos: --kill-every 15s --restart-after 5s --kill-signal KILL|STOP
                 --targets edge,origin,redis,transcoder (edge; sentinel only when named): every --kill-every
                   the next kind, round robin in this order (4 kinds at 15s: each hit in a 90s run), then a
                   live process of it (redis: the current primary, asked with ROLE); STOP is continued after
                   --restart-after, a KILLed process is restarted by run.sh's supervisor
                 --pid-dir run/pids: <kind>-N.pid, re-read at every hit
                 edges: --edge-pids edge-1=PID,...  or  --pid-file 'run/pids/{edge}.pid' (ids from /api/edges)
                 --restart-command 'CMD {name}' ({name} origin-1, {kind} origin, {edge}; KILL only, after
                   --restart-after; none by default: the supervisor restarts)
          steady, chaos: --uploads N --admin-key KEY (or VOD_ADMIN_KEY): N 10 s ffmpeg clips uploaded over
                 the first half of the run (retried on the next entry on a network error or 5xx), each must
                 be ready by --upload-timeout 180s after the run
          flash-crowd: --admin-key KEY (or VOD_ADMIN_KEY): purge the title on every edge first
          throughput: --connections 32  --url URL (default: the first segment via the first edge)  --range-bytes N
        exit codes: 0 pass, 1 a pass criterion failed, 2 usage error (incl. a non-loopback target)
        """;
}
