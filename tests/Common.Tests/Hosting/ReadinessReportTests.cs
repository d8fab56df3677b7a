using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Vod.ServiceDefaults;

namespace Vod.Common.Tests.Hosting;

public sealed class ReadinessReportTests
{
    private sealed class CountingCheck : IHealthCheck
    {
        private int _runs;
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs => Volatile.Read(ref _runs);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _runs);
            await Gate.Task;
            return HealthCheckResult.Healthy();
        }
    }

    private static (ReadinessReport Report, CountingCheck Check, FakeTimeProvider Time, ServiceProvider Services) Create()
    {
        var check = new CountingCheck();
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks()
            .AddCheck("counted", check, tags: [HostingDefaults.ReadyTag])
            .AddCheck("untagged", () => throw new InvalidOperationException("not a readiness check"));
        var provider = services.BuildServiceProvider();
        return (new ReadinessReport(provider.GetRequiredService<HealthCheckService>(), time), check, time, provider);
    }

    [Fact]
    public async Task GetAsync_ManyCallersWithinASecond_RunTheChecksOnce()
    {
        var (report, check, time, services) = Create();
        await using var _ = services;

        var waiting = Enumerable.Range(0, 20).Select(_ => report.GetAsync(CancellationToken.None)).ToList();
        check.Gate.SetResult();
        var reports = await Task.WhenAll(waiting);
        time.Advance(TimeSpan.FromMilliseconds(900));
        await report.GetAsync(CancellationToken.None);

        Assert.Equal(1, check.Runs);
        Assert.All(reports, r => Assert.Equal(["counted"], r.Entries.Keys));
        time.Advance(TimeSpan.FromMilliseconds(100));
        await report.GetAsync(CancellationToken.None);
        Assert.Equal(2, check.Runs);
    }

    [Fact]
    public async Task GetAsync_FirstCallerGivesUp_OthersStillGetTheRun()
    {
        var (report, check, _, services) = Create();
        await using var _ = services;
        using var impatient = new CancellationTokenSource();

        var first = report.GetAsync(impatient.Token);
        var second = report.GetAsync(CancellationToken.None);
        await impatient.CancelAsync();
        check.Gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(HealthStatus.Healthy, (await second).Status);
        Assert.Equal(1, check.Runs);
    }
}
