using System.Globalization;
using k8s.Models;

namespace Vod.Deploy.Tests;

/// <summary>
/// deploy/k8s against the code it deploys: every manifest parses with KubernetesClient's loader; ports and probes are
/// the ones the services bind and map; every environment variable is a setting a service reads; every reference to a
/// Secret or ConfigMap key resolves; PDBs and Services select the pods they are for.
/// </summary>
public class KubernetesManifestTests
{
    private static Manifests K8s => Manifests.Instance;

    /// <summary>The Deployments of the three services, each with its service's container.</summary>
    private static IEnumerable<(V1Deployment Deployment, V1Container Container, ServiceKind Service)> ServiceContainers() =>
        from d in K8s.All<V1Deployment>()
        from c in d.Spec.Template.Spec.Containers
        let service = ServiceKind.ByImage(c.Image)
        where service is not null
        select (d, c, service);

    [Fact]
    public void EveryManifest_IsListedInTheKustomization_AndParses()
    {
        var files = Directory.GetFiles(Repo.PathOf(Manifests.Folder), "*.yaml").Select(f => Path.GetFileName(f)!)
            .Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, K8s.Resources.Order(StringComparer.Ordinal).ToList());
        Assert.All(K8s.Objects, o => Assert.False(string.IsNullOrEmpty(o.Object.Kind), $"an object in {o.File} has no kind"));
        Assert.All(K8s.Objects, o => Assert.Null(((IMetadata<V1ObjectMeta>)o.Object).Metadata.NamespaceProperty));
        foreach (var file in K8s.GeneratorFiles)
        {
            Assert.True(File.Exists(Repo.PathOf(Manifests.Folder, file.Split('=').Last())), $"configMapGenerator names {file}, which is missing");
        }
    }

    [Theory]
    [InlineData("origin", 2)]
    [InlineData("edge", 3)]
    [InlineData("transcoder", 2)]
    public void ServiceDeployments_RunTheirImage_WithTheReplicasAsked(string name, int replicas)
    {
        var deployment = K8s.Deployment(name);
        Assert.Equal(replicas, deployment.Spec.Replicas);
        Assert.Contains(deployment.Spec.Template.Spec.Containers, c => c.Image == "vod-" + name);
    }

    [Fact]
    public void ServiceContainers_ExposeThePortsTheImageAndManagementListenerBind()
    {
        var containers = ServiceContainers().ToList();
        Assert.Equal(3, containers.Count);
        foreach (var (deployment, container, service) in containers)
        {
            var env = ContainerEnvironment.Resolve(container, K8s);
            Assert.False(env.ContainsKey("ASPNETCORE_URLS"), $"{deployment.Metadata.Name}: the port comes from the image; change it in {service.Dockerfile}");
            var http = Assert.Single(container.Ports, p => p.Name == "http");
            Assert.True(http.ContainerPort == service.ImagePort, $"{deployment.Metadata.Name}: port http is {http.ContainerPort}, the image binds {service.ImagePort}");
            if (env.GetValueOrDefault("Management__Urls") is { Length: > 0 } management)
            {
                foreach (var url in management.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var port = new Uri(url).Port;
                    Assert.True(container.Ports.Any(p => p.ContainerPort == port), $"{deployment.Metadata.Name}: Management__Urls binds {port}, no container port says so");
                    Assert.NotEqual(service.ImagePort, port);
                    var scrape = Get(deployment.Spec.Template.Metadata.Annotations, "prometheus.io/port");
                    Assert.True(scrape is null || scrape == port.ToString(CultureInfo.InvariantCulture), $"{deployment.Metadata.Name}: Prometheus scrapes {scrape}, metrics are on {port}");
                }
            }
        }
    }

    [Fact]
    public void Probes_AskTheServicesHealthEndpoints_OnTheirPort()
    {
        foreach (var (deployment, container, service) in ServiceContainers())
        {
            var name = deployment.Metadata.Name;
            Assert.True(container.ReadinessProbe?.HttpGet is not null, $"{name}: no HTTP readiness probe");
            Assert.True(container.LivenessProbe?.HttpGet is not null, $"{name}: no HTTP liveness probe");
            Assert.Equal(ServiceHost.ReadinessPath, container.ReadinessProbe.HttpGet.Path);
            Assert.Equal(ServiceHost.LivenessPath, container.LivenessProbe.HttpGet.Path);
            foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.OfType<V1Probe>())
            {
                Assert.True(ResolvePort(container, probe.HttpGet.Port.Value) == service.ImagePort,
                    $"{name}: a probe asks port {probe.HttpGet.Port.Value}, the service listens on {service.ImagePort}");
                Assert.Null(probe.HttpGet.Scheme is "HTTPS" ? "https" : null); // the images listen on plain http
            }
        }
    }

    [Fact]
    public void EveryEnvironmentVariable_IsASettingTheServiceReads()
    {
        var problems = new List<string>();
        foreach (var (deployment, container, service) in ServiceContainers())
        {
            var env = container.Env ?? [];
            var referenced = env.SelectMany(e => ContainerEnvironment.References(e.Value)).ToHashSet(StringComparer.Ordinal);
            var defined = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in env)
            {
                foreach (var name in ContainerEnvironment.References(e.Value).Where(n => !defined.Contains(n)))
                {
                    problems.Add($"{deployment.Metadata.Name}: {e.Name} refers to $({name}), which is not defined before it (it would stay literal)");
                }

                Assert.True(defined.Add(e.Name), $"{deployment.Metadata.Name}: {e.Name} is set twice");
                // A downward-API value (pod name, pod IP) that other variables are built from is not a setting itself.
                if (e.ValueFrom?.FieldRef is not null && referenced.Contains(e.Name) && !e.Name.Contains("__", StringComparison.Ordinal))
                {
                    continue;
                }

                if (OptionNames.Check(service, e.Name) is { } problem)
                {
                    problems.Add($"{deployment.Metadata.Name}: {problem}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems) + MediaStoreHint(problems));
    }

    [Fact]
    public void ConfigMapSettings_AreReadUnderTheirOwnName_ByAServiceThatReadsThem()
    {
        foreach (var (deployment, container, service) in ServiceContainers())
        {
            foreach (var e in (container.Env ?? []).Where(e => e.ValueFrom?.ConfigMapKeyRef is { Name: "vod-config" }))
            {
                Assert.True(e.Name == e.ValueFrom.ConfigMapKeyRef.Key, $"{deployment.Metadata.Name}: {e.Name} is read from vod-config's key {e.ValueFrom.ConfigMapKeyRef.Key}");
            }
        }

        // Every key of the shared ConfigMap is a setting of some service, and some Deployment uses it.
        var used = ServiceContainers().SelectMany(s => s.Container.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Key).ToHashSet();
        foreach (var key in K8s.ConfigMap("vod-config").Data.Keys)
        {
            Assert.Contains(key, used);
            var problems = ServiceKind.All.Select(s => OptionNames.Check(s, key)).ToList();
            Assert.True(problems.Any(p => p is null), $"vod-config: {key} is read by no service: {string.Join("; ", problems)}{MediaStoreHint(problems.OfType<string>().ToList())}");
        }
    }

    [Fact]
    public void EverySecretAndConfigMapReference_NamesADefinedKey()
    {
        var secrets = K8s.SecretKeys;
        var configMaps = K8s.ConfigMapKeys;
        foreach (var workload in K8s.Workloads)
        {
            var pod = workload.Template.Spec;
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                foreach (var e in container.Env ?? [])
                {
                    if (e.ValueFrom?.SecretKeyRef is { } s)
                    {
                        Assert.True(secrets.TryGetValue(s.Name, out var keys) && keys.Contains(s.Key), $"{workload.Name}: {e.Name} reads Secret {s.Name} key {s.Key}, not defined");
                    }

                    if (e.ValueFrom?.ConfigMapKeyRef is { } c)
                    {
                        Assert.True(configMaps.TryGetValue(c.Name, out var keys) && keys.Contains(c.Key), $"{workload.Name}: {e.Name} reads ConfigMap {c.Name} key {c.Key}, not defined");
                    }
                }

                foreach (var from in container.EnvFrom ?? [])
                {
                    Assert.True(from.SecretRef is null || secrets.ContainsKey(from.SecretRef.Name), $"{workload.Name}: envFrom Secret {from.SecretRef?.Name} is not defined");
                    Assert.True(from.ConfigMapRef is null || configMaps.ContainsKey(from.ConfigMapRef.Name), $"{workload.Name}: envFrom ConfigMap {from.ConfigMapRef?.Name} is not defined");
                }

                foreach (var mount in container.VolumeMounts ?? [])
                {
                    Assert.True(pod.Volumes?.Any(v => v.Name == mount.Name) == true, $"{workload.Name}: {container.Name} mounts {mount.Name}, no such volume");
                }
            }

            foreach (var volume in pod.Volumes ?? [])
            {
                Assert.True(volume.ConfigMap is null || configMaps.ContainsKey(volume.ConfigMap.Name), $"{workload.Name}: volume {volume.Name} names ConfigMap {volume.ConfigMap?.Name}, not defined");
                Assert.True(volume.Secret is null || secrets.ContainsKey(volume.Secret.SecretName), $"{workload.Name}: volume {volume.Name} names Secret {volume.Secret?.SecretName}, not defined");
            }
        }
    }

    [Fact]
    public void Secrets_AreMarkedPlaceholders_AndTheKeysTheServicesNeedComeFromThem()
    {
        foreach (var secret in K8s.All<V1Secret>())
        {
            Assert.Null(secret.Data); // stringData only, so the placeholders read as such
            Assert.All(secret.StringData, kv => Assert.StartsWith("REPLACE-ME", kv.Value, StringComparison.Ordinal));
        }

        // Keys and passwords never appear as literal values in a Deployment.
        var secretSettings = new[] { "Admin__Key", "Fleet__Key", "Playback__SigningKey", "Redis__Password", "Redis__SentinelPassword", "Media__S3__AccessKey", "Media__S3__SecretKey" };
        foreach (var (deployment, container, _) in ServiceContainers())
        {
            foreach (var e in (container.Env ?? []).Where(e => secretSettings.Contains(e.Name)))
            {
                Assert.True(e.ValueFrom?.SecretKeyRef is not null, $"{deployment.Metadata.Name}: {e.Name} must come from a Secret");
            }
        }

        Assert.Contains(K8s.Deployment("origin").Spec.Template.Spec.Containers[0].Env, e => e.Name == "Admin__Key");
    }

    [Fact]
    public void OriginsAndTranscoders_UseTheS3Store_WithScratchOnly()
    {
        foreach (var name in new[] { "origin", "transcoder" })
        {
            var deployment = K8s.Deployment(name);
            var container = deployment.Spec.Template.Spec.Containers.Single();
            var env = ContainerEnvironment.Resolve(container, K8s);
            Assert.Equal("S3", env.GetValueOrDefault("Media__Store"));
            foreach (var setting in new[] { "Media__S3__ServiceUrl", "Media__S3__Bucket", "Media__S3__Region", "Media__S3__AccessKey", "Media__S3__SecretKey" })
            {
                Assert.False(string.IsNullOrEmpty(env.GetValueOrDefault(setting)), $"{name}: {setting} is not set");
            }

            Assert.True(bool.TryParse(env.GetValueOrDefault("Media__S3__ForcePathStyle"), out _), $"{name}: Media__S3__ForcePathStyle is not a bool");
            var root = env.GetValueOrDefault("Media__Root");
            var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == root);
            var volume = deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name);
            Assert.True(volume.EmptyDir is not null, $"{name}: Media__Root must be an emptyDir scratch with the S3 store (nothing shared but Redis and the bucket)");
        }

        Assert.Empty(K8s.All<V1PersistentVolumeClaim>());
    }

    [Fact]
    public void Edges_AnnounceTheirPodAddress_OnTheirPort()
    {
        var container = K8s.Deployment("edge").Spec.Template.Spec.Containers.Single();
        var podIp = Assert.Single(container.Env, e => e.ValueFrom?.FieldRef?.FieldPath == "status.podIP").Name;
        var port = ServiceKind.ByImage(container.Image)!.ImagePort;
        var env = container.Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal($"http://$({podIp}):{port}", env.GetValueOrDefault("Edge__InternalUrl"));
        Assert.StartsWith("http", env.GetValueOrDefault("Edge__PublicUrl"), StringComparison.Ordinal);
        Assert.EndsWith($":{port}", env.GetValueOrDefault("Edge__PublicUrl"), StringComparison.Ordinal);
        var id = Assert.Single(container.Env, e => e.Name == "Edge__Id");
        Assert.Contains(container.Env, e => $"$({e.Name})" == id.Value && e.ValueFrom?.FieldRef?.FieldPath == "metadata.name");

        // The edges fill from the origin Service, on the origins' port.
        var origin = K8s.All<V1Service>().Single(s => s.Metadata.Name == "origin");
        var baseUrl = new Uri(ContainerEnvironment.Resolve(container, K8s)["Origin__BaseUrl"]!);
        Assert.Equal("origin", baseUrl.Host);
        Assert.Contains(origin.Spec.Ports, p => p.Port == baseUrl.Port);
    }

    [Theory]
    [InlineData("origin")]
    [InlineData("edge")]
    public void OriginsAndEdges_HaveADisruptionBudgetThatKeepsOneServing(string name)
    {
        var deployment = K8s.Deployment(name);
        var budget = Assert.Single(K8s.All<V1PodDisruptionBudget>(), b => Selects(b.Spec.Selector, deployment.Spec.Template.Metadata.Labels));
        var replicas = deployment.Spec.Replicas ?? 1;
        var allowedDown = budget.Spec.MaxUnavailable is { } max ? int.Parse(max.Value, CultureInfo.InvariantCulture)
            : replicas - int.Parse(budget.Spec.MinAvailable.Value, CultureInfo.InvariantCulture);
        Assert.InRange(allowedDown, 1, replicas - 1);
        Assert.NotNull(deployment.Spec.Template.Spec.Containers.Single().ReadinessProbe);
    }

    [Fact]
    public void DisruptionBudgets_AndServices_SelectTheirPods()
    {
        var workloads = K8s.Workloads;
        foreach (var workload in workloads)
        {
            Assert.True(Selects(workload.Selector, workload.PodLabels), $"{workload.Kind} {workload.Name}: its selector does not match its pod labels");
        }

        foreach (var budget in K8s.All<V1PodDisruptionBudget>())
        {
            Assert.True(workloads.Count(w => Selects(budget.Spec.Selector, w.PodLabels)) == 1, $"PodDisruptionBudget {budget.Metadata.Name} selects {workloads.Count(w => Selects(budget.Spec.Selector, w.PodLabels))} workloads");
        }

        foreach (var service in K8s.All<V1Service>())
        {
            var selected = workloads.Where(w => service.Spec.Selector.All(kv => Get(w.PodLabels, kv.Key) == kv.Value)).ToList();
            var workload = Assert.Single(selected);
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString(CultureInfo.InvariantCulture);
                Assert.True(workload.Template.Spec.Containers.Any(c => ResolvePort(c, target) is not null),
                    $"Service {service.Metadata.Name}: targetPort {target} is no port of {workload.Name}");
            }

            if (workload.Kind == "StatefulSet")
            {
                var statefulSet = K8s.All<V1StatefulSet>().Single(s => s.Metadata.Name == workload.Name);
                Assert.Equal(service.Metadata.Name, statefulSet.Spec.ServiceName);
            }
        }
    }

    [Fact]
    public void TerminationGrace_CoversTheServicesShutdown()
    {
        foreach (var (deployment, container, service) in ServiceContainers())
        {
            var shutdown = ServiceHost.ShutdownTimeout(service, ContainerEnvironment.Resolve(container, K8s));
            var preStop = container.Lifecycle?.PreStop switch
            {
                null => 0,
                { Sleep: { } sleep } => sleep.Seconds,
                { Exec.Command: [var sleepCommand, var seconds] } when sleepCommand.EndsWith("sleep", StringComparison.Ordinal) => long.Parse(seconds, CultureInfo.InvariantCulture),
                _ => throw new Xunit.Sdk.XunitException($"{deployment.Metadata.Name}: a preStop hook this test cannot time"),
            };
            var needed = shutdown.TotalSeconds + preStop;
            var grace = deployment.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30;
            Assert.True(grace >= needed, $"{deployment.Metadata.Name}: terminationGracePeriodSeconds {grace} < preStop {preStop} s + the host's shutdown timeout {shutdown.TotalSeconds} s");
            Assert.True(grace <= needed + 30, $"{deployment.Metadata.Name}: terminationGracePeriodSeconds {grace} is far past what the service needs ({needed} s)");
        }
    }

    [Fact]
    public void EveryContainer_HasResourceRequestsAndLimits()
    {
        foreach (var workload in K8s.Workloads)
        {
            foreach (var container in workload.Template.Spec.Containers)
            {
                Assert.True(container.Resources?.Requests?.ContainsKey("cpu") == true && container.Resources.Requests.ContainsKey("memory"), $"{workload.Name}/{container.Name}: no requests");
                Assert.True(container.Resources.Limits?.ContainsKey("memory") == true, $"{workload.Name}/{container.Name}: no memory limit");
            }
        }
    }

    [Theory]
    [InlineData("redis-acl.sh")]
    [InlineData("redis-node.sh")]
    public void RedisScripts_AreTheRepositorysOwn(string script) =>
        Assert.True(Repo.Read("scripts", script) == Repo.Read(Manifests.Folder, "redis", script),
            $"{Manifests.Folder}/redis/{script} differs from scripts/{script}: copy it again");

    [Fact]
    public void Services_ReachRedisThroughTheSentinelsOfTheManifests()
    {
        var configuration = K8s.ConfigMap("vod-config").Data["Redis__Configuration"];
        var sentinels = K8s.All<V1StatefulSet>().Single(s => s.Metadata.Name == "sentinel");
        var port = sentinels.Spec.Template.Spec.Containers.Single().Ports.Single().ContainerPort;
        var expected = Enumerable.Range(0, sentinels.Spec.Replicas ?? 1).Select(i => $"sentinel-{i}.{sentinels.Spec.ServiceName}:{port}");
        Assert.Equal(string.Join(',', expected) + ",serviceName=vod", configuration);
    }

    internal static int? ResolvePort(V1Container container, string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? container.Ports?.Any(p => p.ContainerPort == number) == true ? number : null
            : container.Ports?.SingleOrDefault(p => p.Name == port)?.ContainerPort;

    internal static string? Get(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static bool Selects(V1LabelSelector selector, IDictionary<string, string>? labels) =>
        selector.MatchExpressions is null or { Count: 0 } && selector.MatchLabels is { Count: > 0 }
        && selector.MatchLabels.All(kv => labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value);

    internal static string MediaStoreHint(IReadOnlyCollection<string> problems) =>
        problems.Any(p => p.Contains("Media__S3", StringComparison.Ordinal) || p.Contains("Media__Store", StringComparison.Ordinal))
            ? "\n(Media:Store and Media:S3:* are bound by the S3 media store's options class, Vod.Storage.MediaStoreOptions: "
              + "Section \"Media\" with Store, Root and S3 { ServiceUrl, Bucket, Region, AccessKey, SecretKey, ForcePathStyle }. "
              + "If it is missing, that store is not in this build.)"
            : "";
}
