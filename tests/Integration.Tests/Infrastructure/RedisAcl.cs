using System.Diagnostics;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// The ACL users of <c>scripts/redis-acl.sh</c>, the file <c>./run.sh</c> gives its Redis, generated into a temporary
/// directory: one user per kind of service (<c>origin</c>, <c>edge</c>, <c>transcoder</c>), <c>replication</c>,
/// <c>sentinel</c> and <c>admin</c>, with the default user off; and the Sentinels' own password.
/// </summary>
public sealed class RedisAcl : IDisposable
{
    public const string Admin = "admin";

    private RedisAcl(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The configuration lines a data node includes (<c>--include</c>): the ACL file and the replication login.</summary>
    public string NodeConfiguration => Path.Combine(Directory, "node.conf");

    /// <summary>What a client of the Sentinels presents (their <c>requirepass</c>).</summary>
    public string SentinelsPassword => Password("sentinels");

    public static RedisAcl Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vod-acl-").FullName;
        var psi = new ProcessStartInfo("sh") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "redis-acl.sh"));
        psi.ArgumentList.Add(directory);
        using var process = Process.Start(psi)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/redis-acl.sh failed ({process.ExitCode}): {error}");
        }

        return new RedisAcl(directory);
    }

    // Not ServiceProcess.RepositoryRoot: this file is also compiled into Edge.Tests (with RedisServer), which has no ServiceProcess.
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "scripts", "redis-acl.sh")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("scripts/redis-acl.sh not found above the test output");
    }

    public string Password(string user) => File.ReadAllText(Path.Combine(Directory, user + ".pass")).Trim();

    /// <summary>A StackExchange.Redis configuration suffix that logs in as <paramref name="user"/>.</summary>
    public string Login(string user) => $",user={user},password={Password(user)}";

    /// <summary>The settings a service gets to log in as <paramref name="user"/>, Sentinels included.</summary>
    public Dictionary<string, string> Settings(string user) => new()
    {
        ["Redis__User"] = user,
        ["Redis__Password"] = Password(user),
        ["Redis__SentinelPassword"] = SentinelsPassword,
    };

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
