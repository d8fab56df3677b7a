using System.Diagnostics;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>redis-cli as the fixtures run it: a password through the environment (never the command line), bounded in time.</summary>
internal static class RedisCli
{
    /// <returns>The exit code, standard output and standard error; null when it did not finish within <paramref name="timeout"/> (then killed).</returns>
    /// <param name="password">Sent as <c>AUTH</c> (as <paramref name="user"/>, when given) through <c>REDISCLI_AUTH</c>.</param>
    public static async Task<(int ExitCode, string Output, string Error)?> RunAsync(IEnumerable<string> args, TimeSpan timeout, string? password = null, string? user = null)
    {
        var psi = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (password is not null)
        {
            psi.Environment["REDISCLI_AUTH"] = password;
            psi.ArgumentList.Add("--no-auth-warning");
            if (user is not null)
            {
                psi.ArgumentList.Add("--user");
                psi.ArgumentList.Add(user);
            }
        }

        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill();
            return null;
        }

        return (process.ExitCode, await output, await error);
    }
}
