using System.Reflection;

namespace Vod.Deploy.Tests;

/// <summary>The repository this test was built from: the manifests, docker-compose.yml and Dockerfiles are read from it.</summary>
internal static class Repo
{
    public static string Root { get; } = typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));
}
