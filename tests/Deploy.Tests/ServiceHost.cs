using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults;

namespace Vod.Deploy.Tests;

/// <summary>What the services' own hosting code says about health endpoints and shutdown, asked of that code itself.</summary>
internal static class ServiceHost
{
    private static readonly Lazy<(string Liveness, string Readiness)> Paths = new(FindHealthPaths);

    /// <summary>The path of the liveness endpoint (health checks with no check: 200 while the process runs).</summary>
    public static string LivenessPath => Paths.Value.Liveness;

    /// <summary>The path of the readiness endpoint (the checks tagged ready; 503 when one fails).</summary>
    public static string ReadinessPath => Paths.Value.Readiness;

    /// <summary>
    /// The host's shutdown timeout with this configuration: <c>AddServiceDefaults</c> and every
    /// <c>Add*(IServiceCollection, IConfiguration)</c> of the service's assembly registered (the edge's ties it to
    /// <c>Edge:Drain</c>), then <see cref="HostOptions"/> read back. Nothing is started.
    /// </summary>
    public static TimeSpan ShutdownTimeout(ServiceKind service, IReadOnlyDictionary<string, string?> environment)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)));
        builder.AddServiceDefaults();
        var registrations = service.Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(m => m.Name.StartsWith("Add", StringComparison.Ordinal) && !m.IsGenericMethodDefinition
                && m.GetParameters().Select(p => p.ParameterType).SequenceEqual([typeof(IServiceCollection), typeof(IConfiguration)]));
        foreach (var register in registrations)
        {
            register.Invoke(null, [builder.Services, builder.Configuration]);
        }

        using var provider = builder.Services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }

    private static (string, string) FindHealthPaths()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.MapServiceDefaults();
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        var liveness = endpoints.Where(e => e.DisplayName == "Health checks").Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToList();
        var readiness = endpoints.Where(e => e.Metadata.GetMetadata<MethodInfo>()?.DeclaringType?.Name == "ReadinessReport")
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToList();
        Assert.True(liveness.Count == 1, $"MapServiceDefaults maps {liveness.Count} health-check endpoints; expected one (liveness)");
        Assert.True(readiness.Count == 1, $"MapServiceDefaults maps {readiness.Count} ReadinessReport endpoints; expected one (readiness)");
        return (liveness[0], readiness[0]);
    }
}
