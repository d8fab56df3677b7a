using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// One of the product's services (Origin, Edge, Transcoder) started as a real process from its build output, on a
/// real Kestrel port. Its log is kept for failure messages; it can be signalled like any process in production.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly List<string> _addresses = [];
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every address the service said it listens on, in its order (<see cref="BaseUrl"/> is the first).</summary>
    public IReadOnlyList<string> Addresses
    {
        get
        {
            lock (_addresses)
            {
                return [.. _addresses];
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public string Log => string.Join('\n', _log);

    /// <param name="service">Origin, Edge or Transcoder.</param>
    /// <param name="url">The URL to bind; port 0 picks a free port, read back from Kestrel's log.</param>
    public static async Task<ServiceProcess> StartAsync(string name, string service, IReadOnlyDictionary<string, string> environment, string url = "http://127.0.0.1:0")
    {
        var process = Process.Start(StartInfo(service, environment, url)) ?? throw new InvalidOperationException($"{service} did not start");
        var service_ = new ServiceProcess(name, process);
        process.OutputDataReceived += (_, e) => service_.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service_.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => service_._listening.TrySetException(new InvalidOperationException($"{name} exited before listening:\n{service_.Log}"));

        try
        {
            service_.BaseUrl = await service_._listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await service_.DisposeAsync();
            throw new InvalidOperationException($"{name} did not start listening within 30 s:\n{service_.Log}");
        }

        return service_;
    }

    /// <summary>
    /// Starts a service that should refuse to start, and waits for it to exit: its exit code and everything it wrote
    /// (standard output, then standard error). Fails the test if it is still running after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string service, IReadOnlyDictionary<string, string> environment, string url, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(service, environment, url)) ?? throw new InvalidOperationException($"{service} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{service} still running after {timeout.TotalSeconds} s:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, (await stdout) + "\n" + (await stderr));
    }

    private static ProcessStartInfo StartInfo(string service, IReadOnlyDictionary<string, string> environment, string url)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ServiceDll(service));
        psi.Environment["ASPNETCORE_URLS"] = url;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        return psi;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 2000)
        {
            _log.TryDequeue(out _);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            var address = match.Groups[1].Value.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
            lock (_addresses)
            {
                _addresses.Add(address);
            }

            _listening.TrySetResult(address);
        }
    }

    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, signal);
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>src/{service}/bin/{configuration}/net10.0/Vod.{service}.dll, built with this test project.</summary>
    private static string ServiceDll(string service)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = testBin.Parent!.Name;
        var framework = testBin.Name;
        var root = RepositoryRoot();
        var dll = Path.Combine(root, "src", service, "bin", configuration, framework, $"Vod.{service}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build output of {service} not found", dll);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vod.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Vod.sln not found above the test output");
    }

    [GeneratedRegex(@"Now listening on: (https?://\S+)")]
    private static partial Regex ListeningLine();
}
