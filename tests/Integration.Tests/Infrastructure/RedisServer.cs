using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>A real redis-server on a free loopback port, without persistence, stopped on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process _process;

    private readonly string[] _extraArgs;

    // Each server's own working directory: a replica writes the data set it receives to dump.rdb there, and any
    // redis-server started later in a shared directory would load it (another test's data, in an "empty" Redis).
    private readonly string _directory;

    private readonly RedisAcl? _acl;

    private RedisServer(Process process, int port, string? password, string? aclUser, TestCertificates? tls, string directory, string[]? extraArgs = null,
        RedisAcl? acl = null)
    {
        _acl = acl;
        _directory = directory;
        _extraArgs = extraArgs ?? [];
        _process = process;
        Port = port;
        Password = password;
        AclUser = aclUser;
        Tls = tls;
    }

    /// <summary>The password (of <see cref="AclUser"/>, else <c>requirepass</c>), or null for an open server.</summary>
    public string? Password { get; }

    /// <summary>An ACL user that has every right, with the default user turned off; null for the default user.</summary>
    public string? AclUser { get; }

    /// <summary>When set, the server listens with TLS only, and asks clients for a certificate its CA signed.</summary>
    public TestCertificates? Tls { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>What a test's own connection uses: <see cref="Configuration"/>, logged in as the admin when the server has users.</summary>
    public string AdminConfiguration => _acl is null ? Configuration : Configuration + _acl.Login(RedisAcl.Admin);

    /// <param name="password">Started with <c>--requirepass</c> when given, or as <paramref name="aclUser"/>'s password.</param>
    /// <param name="aclUser">An ACL user with every right and <paramref name="password"/>; the default user is turned off.</param>
    /// <param name="tls">TLS only (no plain port), with these certificates; clients must present one the CA signed.</param>
    /// <param name="extraArgs">More redis-server arguments (<c>--replicaof host port</c>).</param>
    /// <param name="acl">The users of <c>scripts/redis-acl.sh</c> (as <c>./run.sh</c> starts Redis); the fixture itself logs in as their admin.</param>
    public static async Task<RedisServer> StartAsync(string? password = null, string? aclUser = null, TestCertificates? tls = null, string[]? extraArgs = null,
        RedisAcl? acl = null)
    {
        if (acl is not null)
        {
            (aclUser, password) = (RedisAcl.Admin, acl.Password(RedisAcl.Admin));
        }

        // redis-server cannot report a port it chose, so the port is picked just before; another socket can take it
        // in between, and then redis-server exits at once. Another port is tried then.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var directory = Directory.CreateTempSubdirectory("vod-redis-").FullName;
            var server = new RedisServer(Launch(port, password, aclUser, tls, directory, extraArgs ?? [], acl), port, password, aclUser, tls, directory, extraArgs, acl);
            try
            {
                await server.WaitForPingAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server._process.HasExited)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Kills the server (as a crash would); <see cref="RestartAsync"/> brings an empty one up on the same port.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Sends a signal: <see cref="Signals.Stop"/> makes a hung Redis (connected, never answering).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, signal);
        }
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        _process.Dispose();
        _process = Launch(Port, Password, AclUser, Tls, _directory, _extraArgs, _acl);
        await WaitForPingAsync();
    }

    /// <summary>The process id (for signals sent by a test, or the load tool's chaos).</summary>
    public int Pid => _process.Id;

    private static Process Launch(int port, string? password, string? aclUser, TestCertificates? tls, string directory, string[] extraArgs, RedisAcl? acl)
    {
        var psi = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] args = tls is null
            ? ["--port", portText]
            : ["--port", "0", "--tls-port", portText, "--tls-cert-file", tls.ServerCertificate, "--tls-key-file", tls.ServerKey,
                "--tls-ca-cert-file", tls.CaCertificate, "--tls-auth-clients", "yes"];
        args = [.. args, "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", .. extraArgs];
        if (acl is not null)
        {
            args = [.. args, "--include", acl.NodeConfiguration];
        }
        else if (aclUser is not null)
        {
            args = [.. args, "--user", aclUser, "on", $">{password}", "~*", "&*", "+@all", "--user", "default", "off"];
        }
        else if (password is not null)
        {
            args = [.. args, "--requirepass", password];
        }

        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForPingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await PingAsync())
            {
                // A redis-server that could not bind its port exits at once, while another server that holds the port
                // answers the PING: make sure the answer was ours, or two stacks would silently share one Redis.
                await Task.Delay(200);
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited after start: port {Port} is held by another server (exit code {_process.ExitCode})");
                }

                return;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited before answering PING on port {Port} (exit code {_process.ExitCode})");
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer PING on port {Port}");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            await using var stream = await OpenAsync(client);
            var command = Password is null ? "PING\r\n" : $"AUTH {(AclUser is null ? "" : AclUser + " ")}{Password}\r\nPING\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command));
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (!reply.ToString().Contains("+PONG", StringComparison.Ordinal) && !reply.ToString().Contains('-', StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return reply.ToString().Contains("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }

    /// <summary>The fixture's own readiness probe: over TLS it trusts the test CA alone and presents the client certificate.</summary>
    private async Task<Stream> OpenAsync(TcpClient client)
    {
        if (Tls is null)
        {
            return client.GetStream();
        }

        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(Tls.CaCertificate)));
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            CertificateChainPolicy = policy,
            ClientCertificates = [X509Certificate2.CreateFromPemFile(Tls.ClientCertificate, Tls.ClientKey)],
        });
        return tls;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
