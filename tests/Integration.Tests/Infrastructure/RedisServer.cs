using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>A real redis-server on a free loopback port, without persistence, stopped on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process _process;

    private RedisServer(Process process, int port, string? password)
    {
        _process = process;
        Port = port;
        Password = password;
    }

    /// <summary>The <c>requirepass</c> password, or null for an open server.</summary>
    public string? Password { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <param name="password">Started with <c>--requirepass</c> when given.</param>
    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        // redis-server cannot report a port it chose, so the port is picked just before; another socket can take it
        // in between, and then redis-server exits at once. Another port is tried then.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var server = new RedisServer(Launch(port, password), port, password);
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
        _process = Launch(Port, Password);
        await WaitForPingAsync();
    }

    private static Process Launch(int port, string? password)
    {
        var psi = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            psi.ArgumentList.Add(arg);
        }

        if (password is not null)
        {
            psi.ArgumentList.Add("--requirepass");
            psi.ArgumentList.Add(password);
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
            var stream = client.GetStream();
            var command = Password is null ? "PING\r\n" : $"AUTH {Password}\r\nPING\r\n";
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
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
