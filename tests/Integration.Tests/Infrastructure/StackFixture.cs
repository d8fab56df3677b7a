using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vod.Common.Catalog;
using Vod.Storage;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// The whole product on loopback: a real redis-server (or, with <see cref="WithSentinel"/>, a primary, a replica and
/// three Sentinels; with <see cref="WithCluster"/>, a Redis Cluster of three primaries), the origins (<see cref="OriginCount"/>), the transcoders (<see cref="TranscoderCount"/>) and two
/// edges as real processes, sharing a temporary media root. Every service binds port 0; the edges start once the
/// origins' addresses are known, and fill from all of them.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const long MaxUploadBytes = 20L << 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The one redis-server, unless <see cref="WithSentinel"/> or <see cref="WithCluster"/> (then null).</summary>
    public RedisServer Redis { get; private set; } = null!;

    /// <summary>Primary, replica and Sentinels, when <see cref="WithSentinel"/>.</summary>
    public RedisSentinelSet? Sentinel { get; private set; }

    /// <summary>The three primaries, when <see cref="WithCluster"/>.</summary>
    public RedisCluster? Cluster { get; private set; }

    /// <summary>What every service is given as <c>Redis:Configuration</c>.</summary>
    public string RedisConfiguration => Sentinel?.Configuration ?? Cluster?.Configuration ?? Redis.Configuration;

    /// <summary>The first origin (the one most tests talk to).</summary>
    public ServiceProcess Origin => Origins[0];

    public List<ServiceProcess> Origins { get; } = [];

    /// <summary>The first transcoder.</summary>
    public ServiceProcess Transcoder { get => Transcoders[0]; private set => Transcoders[0] = value; }

    public List<ServiceProcess> Transcoders { get; } = [];
    public List<ServiceProcess> Edges { get; } = [];
    public string MediaRoot { get; private set; } = "";

    /// <summary>A scratch directory for test inputs (generated clips), removed with the stack.</summary>
    public string Work { get; } = Directory.CreateTempSubdirectory("vod-work-").FullName;
    public LocalMediaStore Store { get; private set; } = null!;
    /// <summary>A client for the stack's services (with <see cref="Tls"/>, one that trusts its authority).</summary>
    public HttpClient Http { get; private set; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Set before <see cref="InitializeAsync"/> to start on an existing media root (restart scenarios).</summary>
    public string? ExistingMediaRoot { get; init; }

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(StartAsync);

    private async Task StartAsync()
    {
        MediaRoot = ExistingMediaRoot ?? Directory.CreateTempSubdirectory("vod-media-").FullName;
        Store = new LocalMediaStore(MediaRoot);
        Acl = WithRedisAcl ? RedisAcl.Create() : null;
        if (WithSentinel)
        {
            Sentinel = await RedisSentinelSet.StartAsync(Acl);
        }
        else if (WithCluster)
        {
            Cluster = await RedisCluster.StartAsync(Acl);
        }
        else
        {
            Redis = await RedisServer.StartAsync(acl: Acl);
        }

        if (Tls is not null)
        {
            Http.Dispose();
            Http = Tls.NewHttpClient();
        }

        var common = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = RedisConfiguration,
            ["Media__Root"] = MediaRoot,
        };
        foreach (var (key, value) in StoreSettings)
        {
            common[key] = value;
        }

        foreach (var (key, value) in ServiceSettings)
        {
            common[key] = value;
        }

        _originEnvironment = new Dictionary<string, string>(common)
        {
            ["Admin__Key"] = AdminKey,
            ["Uploads__MaxBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Many tests share this origin from one address: wrong-key tests must not lock the others out.
            ["Admin__FailedAttemptsPerWindow"] = "1000",
            ["Admin__RequestsPerWindow"] = "100000",
            // Upload-time probe limits low enough that a test can pass them with a small clip.
            ["Probe__MaxDuration"] = MaxDuration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Probe__MaxWidth"] = "1280",
            ["Probe__MaxHeight"] = "720",
            // Webhook receivers in tests listen on 127.0.0.1 (refused by default), and a retry must not take 10 s.
            ["Webhooks__AllowedNetworks"] = "127.0.0.0/8",
            ["Webhooks__FirstRetryDelay"] = "00:00:00.300",
            ["Webhooks__MaxRetryDelay"] = "00:00:01",
            ["Webhooks__PollInterval"] = "00:00:00.100",
            ["Webhooks__ScanInterval"] = "00:00:00.200",
            ["Webhooks__Timeout"] = "00:00:02",
        };
        foreach (var (key, value) in ServiceSettings)
        {
            _originEnvironment[key] = value; // a test's own settings win over the defaults above
        }

        _transcoderEnvironment = new Dictionary<string, string>(common) { ["Worker__PollInterval"] = "00:00:00.100" };
        if (FixedLadder)
        {
            _transcoderEnvironment["Ladder__Mode"] = "Fixed";
        }

        LogInAs(_originEnvironment, "origin");
        LogInAs(_transcoderEnvironment, "transcoder");
        foreach (var (key, value) in TranscoderSettings)
        {
            _transcoderEnvironment[key] = value;
        }

        // Origins bind port 0 and say which port they got; the edges, which need their addresses, start after them. (A
        // port picked in advance can be taken by another socket before the origin binds it: that failed whole classes.)
        var origins = new ServiceProcess[OriginCount];
        var transcoders = new ServiceProcess[WithTranscoder ? TranscoderCount : 0];
        await Task.WhenAll(
            Enumerable.Range(0, OriginCount).Select(i => Task.Run(async () =>
                origins[i] = await StartOriginAsync(OriginCount == 1 ? "origin" : $"origin-{i + 1}", OriginUrls)))
            .Concat(Enumerable.Range(0, transcoders.Length).Select(i => Task.Run(async () =>
                transcoders[i] = await StartTranscoderAsync(transcoders.Length == 1 ? "transcoder" : $"transcoder-{i + 1}")))));
        Origins.AddRange(origins);
        Transcoders.AddRange(transcoders);
        if (Transcoders.Count == 0)
        {
            Transcoders.Add(null!); // tests that start their own transcoder assign it with ReplaceTranscoder
        }

        OriginUrl = Origin.BaseUrl;
        await Task.WhenAll(new[] { "edge-1", "edge-2" }.Select(async id =>
        {
            var edge = await StartEdgeAsync(id);
            lock (Edges)
            {
                Edges.Add(edge); // as each starts, so that a failed start still disposes the other
            }
        }));
        Edges.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        await WaitForRoutableEdgesAsync(Edges.Select(e => e.Name).ToArray());
    }

    private Dictionary<string, string> _originEnvironment = [];
    private Dictionary<string, string> _transcoderEnvironment = [];

    /// <summary>Settings for every service of the stack (origin, transcoder, edges), set before <see cref="InitializeAsync"/>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// With certificates, origins and edges listen on <c>https://</c> with its server pair (<c>Tls:CertificatePath</c>,
    /// <c>Tls:KeyPath</c>, re-read every 200 ms), trust its authority for their own calls (<c>Tls:CaFile</c>: the edges'
    /// fills and the origins' probes go over HTTPS), and <see cref="Http"/> trusts it. The caller owns the certificates.
    /// </summary>
    public TestCertificates? Tls { get; init; }

    /// <summary>With <see cref="Tls"/>: the origins also listen on a plain <c>http://</c> URL, their second address.</summary>
    public bool OriginPlainHttpToo { get; init; }

    /// <summary>The URL a service of the stack binds: a free loopback port, over HTTPS with <see cref="Tls"/>.</summary>
    public string ServiceUrl => Tls is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0";

    private string OriginUrls => OriginPlainHttpToo ? $"{ServiceUrl};http://127.0.0.1:0" : ServiceUrl;

    /// <summary><see cref="Settings"/> over the TLS settings of <see cref="Tls"/>.</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings
    {
        get
        {
            var settings = Tls is null ? [] : new Dictionary<string, string>
            {
                ["Tls__CertificatePath"] = Tls.ServerCertificate,
                ["Tls__KeyPath"] = Tls.ServerKey,
                ["Tls__CaFile"] = Tls.CaCertificate,
                ["Tls__ReloadInterval"] = "00:00:00.200",
            };
            foreach (var (key, value) in Settings)
            {
                settings[key] = value;
            }

            return settings;
        }
    }

    /// <summary>The origin's upload probe refuses sources longer than this (unless a test's <see cref="Settings"/> say otherwise).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(60);

    /// <summary>Extra settings for transcoders (e.g. a short claim timeout), set before <see cref="InitializeAsync"/>.</summary>
    public IReadOnlyDictionary<string, string> TranscoderSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// True (the default here): the transcoders encode the fixed ladder, whose rungs the suite's tests name and whose
    /// encode has no complexity pass to wait for. False: the product's default, the per-title ladder
    /// (<c>EndToEnd/PerTitleLadderTests</c>).
    /// </summary>
    public bool FixedLadder { get; init; } = true;

    /// <summary>False to start without a transcoder (a test starts its own).</summary>
    public bool WithTranscoder { get; init; } = true;

    /// <summary>How many origins to start over the same media root and Redis (edges fill from all of them).</summary>
    public int OriginCount { get; init; } = 1;

    /// <summary>How many transcoders to start (consumers of one job stream).</summary>
    public int TranscoderCount { get; init; } = 1;

    /// <summary>Redis as a primary, a replica and three Sentinels, every service connecting through the Sentinels.</summary>
    public bool WithSentinel { get; init; }

    /// <summary>Redis as a cluster of three primaries, every service given the list of its nodes.</summary>
    public bool WithCluster { get; init; }

    /// <summary>
    /// Redis with the ACL users of <c>scripts/redis-acl.sh</c>, as <c>./run.sh</c> starts it: the default user off, each
    /// service logged in as its own user (Sentinels, with <see cref="WithSentinel"/>, with their password).
    /// </summary>
    public bool WithRedisAcl { get; init; }

    /// <summary>The ACL users and their passwords, with <see cref="WithRedisAcl"/>.</summary>
    public RedisAcl? Acl { get; private set; }

    private void LogInAs(Dictionary<string, string> environment, string user)
    {
        foreach (var (key, value) in Acl?.Settings(user) ?? [])
        {
            environment[key] = value;
        }
    }

    /// <summary>Starts a transcoder with the stack's settings; the caller owns it unless it assigns <see cref="Transcoder"/>.</summary>
    /// <param name="settings">Settings of this transcoder only, over the stack's (e.g. another way to the store).</param>
    public Task<ServiceProcess> StartTranscoderAsync(string name = "transcoder", IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = OwnScratch(_transcoderEnvironment, name);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return ServiceProcess.StartAsync(name, "Transcoder", environment);
    }

    /// <summary>Starts one more origin with the stack's settings on a free port; the caller owns it.</summary>
    /// <param name="settings">Settings of this origin only, over the stack's (e.g. a short upload expiry).</param>
    public Task<ServiceProcess> StartExtraOriginAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = OwnScratch(_originEnvironment, name);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return ServiceProcess.StartAsync(name, "Origin", environment, ServiceUrl);
    }

    private Task<ServiceProcess> StartOriginAsync(string name, string urls) =>
        ServiceProcess.StartAsync(name, "Origin", OwnScratch(_originEnvironment, name), urls);

    /// <summary>
    /// The settings of the media store (e.g. <c>Media__Store=S3</c> and its bucket) for origins and transcoders. With a
    /// remote store each of them gets a media root of its own (a scratch directory under <see cref="MediaRoot"/>):
    /// nothing on disk is shared, as on separate hosts.
    /// </summary>
    public IReadOnlyDictionary<string, string> StoreSettings { get; init; } = new Dictionary<string, string>();

    private bool RemoteStore => StoreSettings.TryGetValue("Media__Store", out var kind) && kind != "Local";

    /// <summary>The media root of a service process: shared with the local store, its own with a remote one.</summary>
    public string MediaRootOf(string name) => RemoteStore ? Path.Combine(MediaRoot, name) : MediaRoot;

    private Dictionary<string, string> OwnScratch(Dictionary<string, string> environment, string name) =>
        new(environment) { ["Media__Root"] = MediaRootOf(name) };

    public void ReplaceTranscoder(ServiceProcess transcoder) => Transcoder = transcoder;

    /// <summary>Starts the origin again on the same URL and media root (after a test killed it).</summary>
    public async Task RestartOriginAsync()
    {
        await Origin.DisposeAsync();
        Origins[0] = await StartOriginAsync("origin", OriginUrl);
    }

    public string OriginUrl { get; private set; } = "";

    /// <summary>Starts an edge process with id <paramref name="id"/>; it registers itself with the origin through Redis.</summary>
    /// <remarks>With several origins, each edge lists them in its own order (edge-2 starts with the second), as run.sh does.</remarks>
    /// <param name="redisConfiguration">Another way to the same Redis (a relay a test can cut), instead of the stack's.</param>
    /// <param name="url">The URL to bind: by default a free port (<see cref="ServiceUrl"/>).</param>
    public Task<ServiceProcess> StartEdgeAsync(string id, string? url = null, int drainSeconds = 7, string? redisConfiguration = null)
    {
        var shift = id.EndsWith("-2", StringComparison.Ordinal) ? 1 : 0;
        var origins = Origins.Select((_, i) => Origins[(i + shift) % Origins.Count].BaseUrl);
        var environment = new Dictionary<string, string>(ServiceSettings)
        {
            ["Redis__Configuration"] = redisConfiguration ?? RedisConfiguration,
            ["Origin__BaseUrl"] = string.Join(",", origins),
            ["Edge__Id"] = id,
            ["Edge__Drain"] = TimeSpan.FromSeconds(drainSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
        LogInAs(environment, "edge");
        if (EdgesOnLocalhost.Contains(id))
        {
            if (url is null)
            {
                return StartOnLocalhostAsync(id, environment);
            }

            AnnounceOnLocalhost(environment, new Uri(url).Port); // started again on its address: the same public URL
        }

        return ServiceProcess.StartAsync(id, "Edge", environment, url ?? ServiceUrl);
    }

    /// <summary>
    /// Starts an edge of the stack again on its address, with its id (and, for <see cref="EdgesOnLocalhost"/>, its public
    /// URL), after a test killed it; the new process takes the old one's place in <see cref="Edges"/>.
    /// </summary>
    public async Task<ServiceProcess> RestartEdgeAsync(ServiceProcess edge)
    {
        var index = Edges.IndexOf(edge);
        await edge.DisposeAsync();
        var restarted = await StartEdgeAsync(edge.Name, edge.BaseUrl);
        Edges[index] = restarted;
        return restarted;
    }

    /// <summary>
    /// Ids of edges that bind 127.0.0.1 but announce themselves to players as <c>localhost</c> (<c>Edge:PublicUrl</c>;
    /// the origin still probes 127.0.0.1 through <c>Edge:InternalUrl</c>), so that two edges on one machine have host
    /// names of their own, as players that ban a failed host by name (Shaka Player) need. Empty by default.
    /// </summary>
    public IReadOnlySet<string> EdgesOnLocalhost { get; init; } = new HashSet<string>();

    /// <summary>The base URL players are given for <paramref name="edge"/> (see <see cref="EdgesOnLocalhost"/>).</summary>
    public string PublicUrl(ServiceProcess edge) =>
        EdgesOnLocalhost.Contains(edge.Name) ? edge.BaseUrl.Replace("://127.0.0.1:", "://localhost:", StringComparison.Ordinal) : edge.BaseUrl;

    // The public URL needs the port before the edge starts, so the port is picked in advance (and picked again if
    // another socket took it meanwhile).
    private async Task<ServiceProcess> StartOnLocalhostAsync(string id, Dictionary<string, string> environment)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            AnnounceOnLocalhost(environment, port);
            try
            {
                return await ServiceProcess.StartAsync(id, "Edge", environment, environment["Edge__InternalUrl"]);
            }
            catch (Exception) when (attempt < 3)
            {
                // the port was taken between the pick and the bind; pick another
            }
        }
    }

    private void AnnounceOnLocalhost(Dictionary<string, string> environment, int port)
    {
        var scheme = Tls is null ? "http" : "https";
        environment["Edge__PublicUrl"] = $"{scheme}://localhost:{port}";
        environment["Edge__InternalUrl"] = $"{scheme}://127.0.0.1:{port}";
    }

    /// <summary>The origin's view of the fleet (<c>GET /api/edges</c>).</summary>
    public async Task<EdgeDto[]> FleetAsync() =>
        (await Http.GetFromJsonAsync<EdgeDto[]>($"{Origin.BaseUrl}/api/edges", Json))!;

    public async Task WaitForRoutableEdgesAsync(params string[] ids)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var fleet = await FleetAsync();
            if (ids.All(id => fleet.Any(e => e.Id == id && e.Routable)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"edges {string.Join(", ", ids)} not routable: {JsonSerializer.Serialize(fleet)}");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // a failed set-up disposes, and then its owner may too
        }

        Http.Dispose();
        _sampleLock.Dispose();
        foreach (var service in Edges.Concat(Origins).Concat(Transcoders).Where(s => s is not null))
        {
            await service.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Sentinel is not null)
        {
            await Sentinel.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        Acl?.Dispose();

        Directory.Delete(Work, recursive: true);
        if (ExistingMediaRoot is null && Directory.Exists(MediaRoot))
        {
            Directory.Delete(MediaRoot, recursive: true);
        }
    }

    public async Task<HttpResponseMessage> UploadAsync(string file, string? name = null, string? adminKey = AdminKey, string? fileName = null)
    {
        using var form = new MultipartFormDataContent();
        var content = new StreamContent(File.OpenRead(file));
        form.Add(content, "file", fileName ?? Path.GetFileName(file));
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Origin.BaseUrl}/api/titles") { Content = form };
        if (adminKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        }

        return await Http.SendAsync(request);
    }

    public async Task<TitleDto> UploadAndWaitAsync(string file, TimeSpan? timeout = null)
    {
        using var response = await UploadAsync(file);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<TitleDto>(Json))!;
        return await WaitForFinalAsync(created.Id, timeout);
    }

    /// <summary>The title from the first origin that answers (any origin may have been killed by the test).</summary>
    public async Task<TitleDto?> GetTitleAsync(string id)
    {
        foreach (var origin in Origins.Where(o => !o.HasExited))
        {
            try
            {
                // As an admin: anonymous readers see ready titles only, and tests wait for failed ones too.
                using var response = await Http.SendAsync(AdminRequest(HttpMethod.Get, $"{origin.BaseUrl}/api/titles/{id}"));
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TitleDto>(Json) : null;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
        }

        return null;
    }

    /// <summary>Every title of the catalog, as an admin sees it (queued and failed ones too).</summary>
    public async Task<TitleDto[]> ListTitlesAsync(ServiceProcess? origin = null)
    {
        using var response = await Http.SendAsync(AdminRequest(HttpMethod.Get, $"{(origin ?? Origin).BaseUrl}/api/titles"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TitleDto[]>(Json))!;
    }

    /// <summary>A request carrying the admin key.</summary>
    public static HttpRequestMessage AdminRequest(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return request;
    }

    /// <summary>Polls the catalog until the title is ready or failed.</summary>
    public async Task<TitleDto> WaitForFinalAsync(string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        TitleDto? title = null;
        while (DateTime.UtcNow < deadline)
        {
            title = await GetTitleAsync(id);
            if (title?.Status is TitleStatus.Ready or TitleStatus.Failed)
            {
                return title;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"title {id} is still {title?.Status} after the timeout.\nTranscoder logs:\n"
            + string.Join("\n", Transcoders.Where(t => t is not null).Select(t => $"-- {t.Name}\n{t.Log}")));
    }

    /// <summary>The path of a published file of a ready title on disk (its version is read from title.json).</summary>
    public async Task<string> PublishedFileAsync(string titleId, string relative)
    {
        var title = await Store.ReadTitleAsync(titleId) ?? throw new InvalidOperationException($"title {titleId} is not on disk");
        return Path.Combine(Store.TitleDirectory(titleId), title.Version ?? throw new InvalidOperationException("not published"), relative);
    }

    /// <summary>One 8 s 640x360 title, uploaded and transcoded once for every test of the collection that only reads it.</summary>
    public async Task<TitleDto> SampleTitleAsync()
    {
        await _sampleLock.WaitAsync();
        try
        {
            _sample ??= await UploadAndWaitAsync(await Media.ClipAsync(Path.Combine(Work, "sample.mp4"), 640, 360, 8));
            return _sample;
        }
        finally
        {
            _sampleLock.Release();
        }
    }

    private readonly SemaphoreSlim _sampleLock = new(1, 1);
    private int _disposed;
    private TitleDto? _sample;

    public static JsonSerializerOptions JsonOptions => Json;
}

/// <summary>The API's view of a title, plus the version read from disk where a test needs it.</summary>
public sealed record TitleDto(
    string Id,
    string Name,
    TitleStatus Status,
    int Progress,
    string? Error,
    double? DurationSeconds,
    IReadOnlyList<RenditionInfo> Renditions,
    IReadOnlyList<AudioRenditionInfo> Audio,
    string? PlaybackUrl,
    string? DashUrl,
    IReadOnlyList<SubtitleTrackInfo>? Subtitles = null);

/// <summary>An edge as <c>GET /api/edges</c> shows it.</summary>
public sealed record EdgeDto(string Id, string Url, bool Routable, string State, string? Reason, DateTimeOffset LastHeartbeat);

/// <summary>The shared stack's tests run one at a time, after the parallel collections: several of them bound times
/// (heartbeats seen within 3 s, a hung origin given up on within a second) and play in a browser.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StackDefinition : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}

/// <summary>
/// A stack of its own for the classes that upload, read and check answers, and nothing else: no bound on a time, no
/// process killed or stopped, no browser. Unlike <see cref="StackDefinition"/> they run with the parallel collections
/// instead of one at a time after them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class UntimedStackDefinition : ICollectionFixture<StackFixture>
{
    public const string Name = "untimed-stack";
}

/// <summary>
/// The stack as <c>./run.sh</c> shapes it, with no single point of failure: two origins, two transcoders, two edges,
/// and Redis as primary, replica and three Sentinels. Tests of this collection kill processes for good; each test
/// takes its own fixture instance (class fixture), so what one kills another does not miss.
/// </summary>
public sealed class ResilientStackFixture : IAsyncLifetime
{
    public StackFixture Stack { get; } = new()
    {
        OriginCount = 2,
        TranscoderCount = 2,
        WithSentinel = true,
        TranscoderSettings = new Dictionary<string, string> { ["Worker__ClaimIdle"] = "00:00:06" },
    };

    public Task InitializeAsync() => Stack.InitializeAsync();

    public Task DisposeAsync() => Stack.DisposeAsync();
}
