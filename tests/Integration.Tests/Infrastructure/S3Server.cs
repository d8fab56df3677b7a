using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A real S3 server: a single-node OpenStack Swift with s3api (<c>scripts/s3-server.sh</c>, the one <c>./run.sh</c>
/// users start by hand), on a free block of five loopback ports, its data in a temporary directory (a tmpfs when
/// root), stopped and wiped on dispose. Path-style addressing, signature v4, region <see cref="Region"/>.
/// Uploads through <see cref="CreateClient"/> must set <c>UseChunkEncoding = false</c> on <c>PutObjectRequest</c> and
/// <c>UploadPartRequest</c>: Swift 2.30 does not accept aws-chunked bodies. Keep object metadata small (ext4 caps
/// xattrs at ~4 KB when the data is not on tmpfs).
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    private const int Ports = 5;   // proxy, account, container, object, memcached

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    private string? _directory;

    public string AccessKey { get; } = "test:tester";

    public string SecretKey { get; } = "testing";

    public string Region { get; } = "us-east-1";

    /// <summary>The proxy's port: the S3 endpoint. The account, container and object servers and memcached take the next four.</summary>
    public int Port { get; private set; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>How long <see cref="InitializeAsync"/> took to bring Swift up (the script's start, health check included).</summary>
    public TimeSpan StartUpTime { get; private set; }

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(StartAsync);

    private async Task StartAsync()
    {
        // The ports are free when picked; another process can take one before Swift binds it, and then the script
        // fails with 3 (a server exited during start-up): another block is tried.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Block(Ports);
            _directory = Directory.CreateTempSubdirectory("vod-s3-").FullName;
            var started = Stopwatch.StartNew();
            var (exitCode, output) = await RunScriptAsync("start", _directory, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (exitCode == 0)
            {
                StartUpTime = started.Elapsed;
                return;
            }

            await StopAsync();
            if (exitCode != 3 || attempt == 3)
            {
                throw new InvalidOperationException($"scripts/s3-server.sh start failed ({exitCode}) on port {Port}:\n{output}");
            }
        }
    }

    /// <summary>Creates a bucket (3-63 characters of a-z, 0-9, '.' and '-'); one that exists already is left as it is.</summary>
    public async Task CreateBucketAsync(string name) => await RunCheckedAsync("create-bucket", name);

    /// <summary>
    /// An S3 client for this server, as the services are to configure theirs against Swift: path-style, the region
    /// signed for, checksums only where an operation requires them. <paramref name="secretKey"/> signs with another
    /// secret (a refused request); <paramref name="configure"/> changes the rest (retries, time-outs).
    /// </summary>
    public IAmazonS3 CreateClient(string? secretKey = null, Action<AmazonS3Config>? configure = null)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        configure?.Invoke(config);
        return new AmazonS3Client(new BasicAWSCredentials(AccessKey, secretKey ?? SecretKey), config);
    }

    /// <summary>SIGKILLs the proxy alone (a crash mid-request), and returns once it has exited: the S3 endpoint refuses connections.</summary>
    public void KillProxy() => RunCheckedAsync("kill-proxy").GetAwaiter().GetResult();

    /// <summary>Starts the proxy again on the same port, and returns once its health check answers; the data is as it was.</summary>
    public Task StartProxyAsync() => RunCheckedAsync("start-proxy");

    public async Task DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        if (_directory is null)
        {
            return;
        }

        var (exitCode, output) = await RunScriptAsync("stop", _directory, "--wipe");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/s3-server.sh stop failed ({exitCode}):\n{output}");
        }

        _directory = null;
    }

    private async Task RunCheckedAsync(string command, params string[] args)
    {
        var directory = _directory ?? throw new InvalidOperationException("the S3 server is not running");
        var (exitCode, output) = await RunScriptAsync(command, [directory, .. args]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/s3-server.sh {command} failed ({exitCode}):\n{output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string command, params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Script());
        psi.ArgumentList.Add(command);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();   // the script alone: the servers it started are in their own sessions
            throw new TimeoutException($"scripts/s3-server.sh {command} did not finish within {ScriptTimeout.TotalSeconds} s");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    // Not ServiceProcess.RepositoryRoot, like RedisAcl: found by the script itself, so the fixture can be linked into another test project.
    private static string Script()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "scripts", "s3-server.sh")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("scripts/s3-server.sh not found above the test output")
            : Path.Combine(dir.FullName, "scripts", "s3-server.sh");
    }
}

/// <summary>One S3 server for the test classes that only need a bucket of their own (not a stack).</summary>
[CollectionDefinition(Name)]
public sealed class S3ServerDefinition : ICollectionFixture<S3Server>
{
    public const string Name = "s3-server";
}
