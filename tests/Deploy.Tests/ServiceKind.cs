using System.Reflection;
using System.Text.RegularExpressions;

namespace Vod.Deploy.Tests;

/// <summary>
/// One of the three .NET services, as the deployment files name it: the image <c>vod-origin</c> (kustomization.yaml maps it
/// to a registry), built from <c>src/Origin/Dockerfile</c> into the assembly <c>Vod.Origin</c>.
/// </summary>
internal sealed partial record ServiceKind(string Name)
{
    public static IReadOnlyList<ServiceKind> All { get; } = [new("Origin"), new("Edge"), new("Transcoder")];

    public string Image => "vod-" + Name.ToLowerInvariant();

    public string Dockerfile => $"src/{Name}/Dockerfile";

    public Assembly Assembly => Assembly.Load("Vod." + Name);

    public static ServiceKind? ByImage(string? image) => All.SingleOrDefault(s => s.Image == image);

    public static ServiceKind? ByDockerfile(string? dockerfile) =>
        All.SingleOrDefault(s => s.Dockerfile == dockerfile?.Replace('\\', '/').TrimStart('.', '/'));

    /// <summary>The port the image listens on: its <c>ASPNETCORE_URLS</c> in the Dockerfile.</summary>
    public int ImagePort
    {
        get
        {
            var match = UrlsInDockerfile().Match(Repo.Read(Dockerfile));
            Assert.True(match.Success, $"{Dockerfile} sets no ASPNETCORE_URLS=http://host:port");
            return int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex(@"ASPNETCORE_URLS=https?://[^:\s]+:(?<port>[0-9]+)")]
    private static partial Regex UrlsInDockerfile();
}
