using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Vod.Deploy.Tests;

/// <summary>deploy/k8s as kustomize sees it: the resources kustomization.yaml lists, parsed by KubernetesClient's loader.</summary>
internal sealed class Manifests
{
    public const string Folder = "deploy/k8s";

    private static readonly Lazy<Manifests> Loaded = new(Load);

    public static Manifests Instance => Loaded.Value;

    /// <summary>Every object, with the file it came from.</summary>
    public required IReadOnlyList<(string File, IKubernetesObject Object)> Objects { get; init; }

    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary>configMapGenerator entries: name → the keys (file names) it generates.</summary>
    public required IReadOnlyDictionary<string, IReadOnlySet<string>> GeneratedConfigMaps { get; init; }

    public required IReadOnlyList<string> GeneratorFiles { get; init; }

    public IEnumerable<T> All<T>() => Objects.Select(o => o.Object).OfType<T>();

    public IReadOnlyList<Workload> Workloads =>
    [
        .. All<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Spec.Replicas, d.Spec.Selector, d.Spec.Template)),
        .. All<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Spec.Replicas, s.Spec.Selector, s.Spec.Template)),
    ];

    public V1Deployment Deployment(string name) =>
        All<V1Deployment>().SingleOrDefault(d => d.Metadata.Name == name) ?? throw new Xunit.Sdk.XunitException($"no Deployment '{name}' in {Folder}");

    public V1ConfigMap ConfigMap(string name) =>
        All<V1ConfigMap>().SingleOrDefault(c => c.Metadata.Name == name) ?? throw new Xunit.Sdk.XunitException($"no ConfigMap '{name}' in {Folder}");

    /// <summary>The keys of each Secret (data and stringData).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> SecretKeys =>
        All<V1Secret>().ToDictionary(
            s => s.Metadata.Name,
            s => (IReadOnlySet<string>)(s.Data?.Keys ?? []).Concat(s.StringData?.Keys ?? []).ToHashSet(StringComparer.Ordinal));

    /// <summary>The keys of each ConfigMap, the generated ones included.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> ConfigMapKeys =>
        All<V1ConfigMap>()
            .Select(c => (c.Metadata.Name, Keys: (IReadOnlySet<string>)(c.Data?.Keys ?? []).Concat(c.BinaryData?.Keys ?? []).ToHashSet(StringComparer.Ordinal)))
            .Concat(GeneratedConfigMaps.Select(g => (g.Key, Keys: g.Value)))
            .ToDictionary(c => c.Item1, c => c.Keys);

    private static Manifests Load()
    {
        var kustomization = LoadYaml(Repo.Read(Folder, "kustomization.yaml"));
        var resources = Sequence(kustomization, "resources").ToList();
        var generators = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var generatorFiles = new List<string>();
        if (kustomization.Children.TryGetValue(new YamlScalarNode("configMapGenerator"), out var node) && node is YamlSequenceNode list)
        {
            foreach (var generator in list.Children.Cast<YamlMappingNode>())
            {
                var files = Sequence(generator, "files").ToList();
                generatorFiles.AddRange(files);
                // "key=path" names the key; a bare path's key is its file name.
                generators[((YamlScalarNode)generator["name"]).Value!] =
                    files.Select(f => f.Contains('=', StringComparison.Ordinal) ? f[..f.IndexOf('=', StringComparison.Ordinal)] : Path.GetFileName(f))
                        .ToHashSet(StringComparer.Ordinal);
            }
        }

        var objects = new List<(string, IKubernetesObject)>();
        foreach (var file in resources)
        {
            foreach (var o in KubernetesYaml.LoadAllFromString(Repo.Read(Folder, file)))
            {
                objects.Add((file, (IKubernetesObject)o));
            }
        }

        return new Manifests { Objects = objects, Resources = resources, GeneratedConfigMaps = generators, GeneratorFiles = generatorFiles };
    }

    public static YamlMappingNode LoadYaml(string text)
    {
        var stream = new YamlStream();
        // The merging parser resolves `<<: *anchor` (docker-compose.yml's extension fields).
        stream.Load(new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(new StringReader(text))));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<string> Sequence(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode list
            ? list.Children.Cast<YamlScalarNode>().Select(s => s.Value!)
            : [];
}

internal sealed record Workload(string Kind, string Name, int? Replicas, V1LabelSelector Selector, V1PodTemplateSpec Template)
{
    public IDictionary<string, string> PodLabels => Template.Metadata?.Labels ?? new Dictionary<string, string>();
}
