using Vod.Common.Catalog;
using Vod.Common.Webhooks;
using Vod.Origin.Webhooks;

namespace Vod.Origin.Tests.Webhooks;

public sealed class TitleTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Title Title(TitleStatus status, DateTimeOffset updated) => new()
    {
        Id = "abcdefghijkl",
        Name = "n",
        Status = status,
        CreatedAt = T0,
        UpdatedAt = updated,
        Source = "abcdefghijkl.mp4",
    };

    [Theory]
    [InlineData(TitleStatus.Ready, WebhookEvent.TitleReady)]
    [InlineData(TitleStatus.Failed, WebhookEvent.TitleFailed)]
    public void Transition_FinalState_HasAnIdDerivedFromTheWrite(TitleStatus status, string type)
    {
        var a = WebhookEvent.Transition(Title(status, T0.AddMinutes(1)))!;
        var again = WebhookEvent.Transition(Title(status, T0.AddMinutes(1)))!;
        var later = WebhookEvent.Transition(Title(status, T0.AddMinutes(2)))!;
        Assert.Equal(type, a.Type);
        Assert.Equal(a.Id, again.Id); // every origin names it alike: one enqueue wins
        Assert.NotEqual(a.Id, later.Id);
        Assert.Equal(a.Body(), again.Body());
    }

    [Theory]
    [InlineData(TitleStatus.Queued)]
    [InlineData(TitleStatus.Transcoding)]
    public void Transition_NotFinal_IsNone(TitleStatus status) => Assert.Null(WebhookEvent.Transition(Title(status, T0)));

    [Fact]
    public void Recipients_SubscribedAndRegisteredBefore_Only()
    {
        var e = WebhookEvent.Transition(Title(TitleStatus.Ready, T0.AddMinutes(5)))!;
        WebhookEndpoint Endpoint(string id, DateTimeOffset created, params string[] events) => new(id, "https://x.example/", events, "s", created);
        var endpoints = new[]
        {
            Endpoint("wh_a", T0, WebhookEvent.TitleReady),
            Endpoint("wh_b", T0, WebhookEvent.TitleDeleted),
            Endpoint("wh_c", T0.AddMinutes(6), WebhookEvent.TitleReady), // registered after the title became ready
        };
        Assert.Equal(["wh_a"], TitleTransitions.Recipients(endpoints, e).Select(x => x.Id));
    }

    [Fact]
    public void Body_HasTheEventShape()
    {
        var json = System.Text.Json.JsonDocument.Parse(WebhookEvent.Transition(Title(TitleStatus.Ready, T0))!.Body()).RootElement;
        Assert.StartsWith("evt_", json.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("title.ready", json.GetProperty("type").GetString());
        Assert.Equal(T0, json.GetProperty("created").GetDateTimeOffset());
        Assert.Equal("abcdefghijkl", json.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("ready", json.GetProperty("data").GetProperty("status").GetString());
    }
}
