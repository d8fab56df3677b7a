using System.Text.RegularExpressions;
using k8s.Models;

namespace Vod.Deploy.Tests;

/// <summary>A container's environment as the kubelet would give it, with Secrets as their placeholder values.</summary>
internal static partial class ContainerEnvironment
{
    public static IReadOnlyDictionary<string, string?> Resolve(V1Container container, Manifests manifests)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var env in container.Env ?? [])
        {
            values[env.Name] = env.ValueFrom switch
            {
                null => Expand(env.Value ?? "", values),
                { ConfigMapKeyRef: { } c } => KubernetesManifestTests.Get(manifests.ConfigMap(c.Name).Data, c.Key),
                { SecretKeyRef: { } s } => manifests.All<V1Secret>().SingleOrDefault(x => x.Metadata.Name == s.Name)?.StringData is { } data ? KubernetesManifestTests.Get(data, s.Key) : null,
                { FieldRef: { } f } => f.FieldPath switch
                {
                    "status.podIP" => "10.0.0.1",
                    "status.hostIP" => "192.0.2.1",
                    _ => "pod-abc12",
                },
                _ => null,
            };
        }

        return values;
    }

    /// <summary>The names a value refers to as <c>$(NAME)</c> (a reference to an undefined name stays literal).</summary>
    public static IEnumerable<string> References(string? value) =>
        Reference().Matches(value ?? "").Select(m => m.Groups["name"].Value);

    private static string Expand(string value, Dictionary<string, string?> defined) =>
        Reference().Replace(value, m => defined.TryGetValue(m.Groups["name"].Value, out var v) ? v ?? "" : m.Value);

    [GeneratedRegex(@"(?<!\$)\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();
}
