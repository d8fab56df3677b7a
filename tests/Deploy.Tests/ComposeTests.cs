using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Vod.Deploy.Tests;

/// <summary>
/// docker-compose.yml (there is no Docker here to run it): parsed as YAML with its merge keys resolved, each .NET
/// service's environment held to the same rule as the Kubernetes manifests, and the S3 store wired to MinIO with no
/// volume shared between origins and transcoders.
/// </summary>
public partial class ComposeTests
{
    private static readonly Lazy<YamlMappingNode> Compose = new(() => Manifests.LoadYaml(Repo.Read("docker-compose.yml")));

    private static YamlMappingNode Services => (YamlMappingNode)Compose.Value["services"];

    /// <summary>The compose services built from a service's Dockerfile.</summary>
    private static IEnumerable<(string Name, YamlMappingNode Definition, ServiceKind Service)> VodServices() =>
        from entry in Services.Children
        let definition = (YamlMappingNode)entry.Value
        let service = ServiceKind.ByDockerfile(Scalar(definition, "build", "dockerfile"))
        where service is not null
        select (((YamlScalarNode)entry.Key).Value!, definition, service);

    [Fact]
    public void EveryService_IsBuiltOrPulled_AndTheThreeKindsAreThere()
    {
        Assert.All(Services.Children, s => Assert.True(Scalar((YamlMappingNode)s.Value, "image") is not null || Scalar((YamlMappingNode)s.Value, "build", "dockerfile") is not null, $"{s.Key}: no image, no build"));
        Assert.Equal(["Edge", "Origin", "Transcoder"], VodServices().Select(s => s.Service.Name).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryEnvironmentVariable_IsASettingTheServiceReads()
    {
        var problems = VodServices()
            .SelectMany(s => Environment(s.Definition).Keys.Select(name => OptionNames.Check(s.Service, name) is { } p ? $"{s.Name}: {p}" : null))
            .OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems) + KubernetesManifestTests.MediaStoreHint(problems));
    }

    [Fact]
    public void RedisAndStoreSettings_HaveTheNamesTheKubernetesManifestsUse()
    {
        foreach (var service in ServiceKind.All)
        {
            var k8s = Manifests.Instance.All<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers).Where(c => c.Image == service.Image)
                .SelectMany(c => c.Env ?? []).Select(e => e.Name).Where(IsShared).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, definition, _) in VodServices().Where(s => s.Service == service))
            {
                var compose = Environment(definition).Keys.Where(IsShared).ToHashSet(StringComparer.Ordinal);
                Assert.True(k8s.SetEquals(compose), $"{name} sets {string.Join(", ", compose.Order(StringComparer.Ordinal))}; deploy/k8s sets {string.Join(", ", k8s.Order(StringComparer.Ordinal))} for {service.Image}");
            }
        }

        static bool IsShared(string name) => name.StartsWith("Redis__", StringComparison.Ordinal) || name.StartsWith("Media__", StringComparison.Ordinal)
            || name is "Fleet__Key" or "Admin__Key" or "Playback__SigningKey";
    }

    [Fact]
    public void OriginsAndTranscoders_UseTheS3StoreOnMinio_AndShareNoVolume()
    {
        var stores = VodServices().Where(s => s.Service.Name is "Origin" or "Transcoder").ToList();
        Assert.NotEmpty(stores);
        foreach (var (name, definition, _) in stores)
        {
            var env = Environment(definition);
            Assert.Equal("S3", env.GetValueOrDefault("Media__Store"));
            Assert.True(bool.TryParse(env.GetValueOrDefault("Media__S3__ForcePathStyle"), out var pathStyle) && pathStyle, $"{name}: MinIO needs path-style bucket URLs");
            var endpoint = new Uri(env["Media__S3__ServiceUrl"]!);
            var store = (YamlMappingNode)Services[endpoint.Host];
            Assert.StartsWith("minio/minio", Scalar(store, "image"), StringComparison.Ordinal);
            var storeEnv = Environment(store);
            Assert.Equal(storeEnv["MINIO_ROOT_USER"], env["Media__S3__AccessKey"]);
            Assert.Equal(storeEnv["MINIO_ROOT_PASSWORD"], env["Media__S3__SecretKey"]);

            // The bucket is made by a one-shot minio/mc service this one waits for.
            var bucket = env["Media__S3__Bucket"]!;
            var maker = Services.Children.Single(s => Scalar((YamlMappingNode)s.Value, "image") is { } image && image.StartsWith("minio/mc", StringComparison.Ordinal));
            Assert.Contains($"/{bucket}", string.Join(' ', ((YamlMappingNode)maker.Value)["entrypoint"].AllNodes.OfType<YamlScalarNode>().Select(n => n.Value)), StringComparison.Ordinal);
            Assert.Equal("service_completed_successfully", Scalar(definition, "depends_on", ((YamlScalarNode)maker.Key).Value!, "condition"));

            Assert.False(definition.Children.ContainsKey(new YamlScalarNode("volumes")), $"{name}: mounts a volume; with the S3 store origins and transcoders share nothing but Redis and the bucket");
        }

        Assert.False(((YamlMappingNode)Compose.Value["volumes"]).Children.ContainsKey(new YamlScalarNode("media")), "the shared media volume is back");
    }

    [Fact]
    public void PortsAndHealthChecks_AreTheServicesOwn()
    {
        foreach (var (name, definition, service) in VodServices())
        {
            if (definition.Children.TryGetValue(new YamlScalarNode("ports"), out var ports))
            {
                foreach (var port in ((YamlSequenceNode)ports).Children.Cast<YamlScalarNode>())
                {
                    Assert.EndsWith($":{service.ImagePort}", port.Value, StringComparison.Ordinal);
                }
            }

            var check = string.Join(' ', definition["healthcheck"]["test"].AllNodes.OfType<YamlScalarNode>().Select(n => n.Value));
            Assert.Contains($"/dev/tcp/127.0.0.1/{service.ImagePort}", check, StringComparison.Ordinal);
            Assert.True(check.Contains($"GET {ServiceHost.LivenessPath} ", StringComparison.Ordinal) || check.Contains($"GET {ServiceHost.ReadinessPath} ", StringComparison.Ordinal),
                $"{name}: the health check asks neither {ServiceHost.LivenessPath} nor {ServiceHost.ReadinessPath}: {check}");
        }
    }

    [Fact]
    public void StopGracePeriod_CoversTheServicesShutdown()
    {
        foreach (var (name, definition, service) in VodServices())
        {
            var env = Environment(definition).ToDictionary(kv => kv.Key, kv => (string?)ComposeVariable().Replace(kv.Value ?? "", "x-placeholder-value-long-enough-for-any-key"));
            var shutdown = ServiceHost.ShutdownTimeout(service, env);
            var grace = Duration(Scalar(definition, "stop_grace_period") ?? "10s");
            Assert.True(grace >= shutdown, $"{name}: stop_grace_period {grace} < the host's shutdown timeout {shutdown}");
        }
    }

    private static Dictionary<string, string?> Environment(YamlMappingNode service)
    {
        if (!service.Children.TryGetValue(new YamlScalarNode("environment"), out var node))
        {
            return [];
        }

        return node switch
        {
            YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value, StringComparer.Ordinal),
            YamlSequenceNode list => list.Children.Cast<YamlScalarNode>().Select(s => s.Value!.Split('=', 2))
                .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : null, StringComparer.Ordinal),
            _ => throw new Xunit.Sdk.XunitException("environment is neither a map nor a list"),
        };
    }

    private static string? Scalar(YamlMappingNode map, params string[] path)
    {
        YamlNode node = map;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return (node as YamlScalarNode)?.Value;
    }

    private static TimeSpan Duration(string text)
    {
        var match = DurationShape().Match(text);
        Assert.True(match.Success, $"'{text}' is not a compose duration this test reads");
        return TimeSpan.FromMinutes(Part(match, "m")) + TimeSpan.FromSeconds(Part(match, "s"));

        static int Part(Match m, string unit) => m.Groups[unit].Success ? int.Parse(m.Groups[unit].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^(?:(?<m>[0-9]+)m)?(?:(?<s>[0-9]+)s)?$")]
    private static partial Regex DurationShape();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex ComposeVariable();
}
