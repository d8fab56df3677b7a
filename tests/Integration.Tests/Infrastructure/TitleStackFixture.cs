using System.Net;
using Vod.Common.Catalog;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A stack and one 640x360 title transcoded on it, shared by the tests of a class that each kill or stop part of the
/// stack (a class fixture: one stack start and one transcode for the class, not one per test). Each test calls
/// <see cref="RestoreAsync"/> first, which puts back what an earlier test took away, so any order works.
/// </summary>
public abstract class TitleStackFixture(StackFixture stack, int titleSeconds) : IAsyncLifetime
{
    public StackFixture Stack { get; } = stack;

    public TitleDto Title { get; private set; } = null!;

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        await Stack.InitializeAsync();
        var clip = await Media.ClipAsync(Path.Combine(Stack.Work, "title.mp4"), 640, 360, titleSeconds);
        Title = await Stack.UploadAndWaitAsync(clip, TimeSpan.FromMinutes(2));
        Assert.Equal(TitleStatus.Ready, Title.Status);
    });

    public Task DisposeAsync() => Stack.DisposeAsync();

    /// <summary>
    /// The stack as a fresh one: every process running on its address (a stopped one continued, a killed or terminated
    /// one started again), both edges routable, and the title purged from the edges' caches (memory and Redis), so that
    /// they fill from the origin again as on a stack that never served it.
    /// </summary>
    public async Task RestoreAsync()
    {
        foreach (var service in Stack.Origins.Concat(Stack.Edges))
        {
            service.Signal(Signals.Cont);
        }

        if (Stack.Origin.HasExited)
        {
            await Stack.RestartOriginAsync();
        }

        foreach (var edge in Stack.Edges.Where(e => e.HasExited).ToList())
        {
            await Stack.RestartEdgeAsync(edge);
        }

        await Stack.WaitForRoutableEdgesAsync([.. Stack.Edges.Select(e => e.Name)]);
        using var purged = await Stack.Http.SendAsync(StackFixture.AdminRequest(HttpMethod.Post, $"{Stack.Origin.BaseUrl}/api/titles/{Title.Id}/purge"));
        Assert.True(purged.StatusCode == HttpStatusCode.OK, $"the purge was not acknowledged by every edge: {(int)purged.StatusCode} {await purged.Content.ReadAsStringAsync()}");
    }
}
