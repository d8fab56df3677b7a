using System.Net.Http.Json;
using System.Text.Json;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Faults;

/// <summary>The webhook outbox outlives the origin that filled it: another origin delivers what a SIGKILLed one queued.</summary>
[Collection(SerialDefinition.Name)]
public sealed class WebhookOriginKillTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Webhooks__AllowedNetworks"] = "127.0.0.0/8",
        ["Webhooks__FirstRetryDelay"] = "00:00:01",
        ["Webhooks__MaxRetryDelay"] = "00:00:02",
        ["Webhooks__PollInterval"] = "00:00:00.100",
        ["Webhooks__Timeout"] = "00:00:02",
    };

    [Fact]
    public async Task Delivery_QueuingOriginKilled_AnotherOriginDeliversIt()
    {
        await using var services = await LoneServices.StartAsync();
        var (first, root) = await services.StartOriginAsync("origin-a", Settings);
        using var receiver = new WebhookReceiver(); // down: the first origin's attempt is refused and the delivery stays queued
        var (endpointId, secret) = await WebhookReceiver.RegisterAsync(services.Http, first.BaseUrl, LoneServices.AdminKey, receiver.Url, "title.deleted");

        var titleId = TitleId.New();
        var past = DateTimeOffset.UtcNow.AddMinutes(-5);
        await new LocalMediaStore(root).WriteTitleAsync(new Title
        {
            Id = titleId,
            Name = "doomed",
            Status = TitleStatus.Failed,
            CreatedAt = past,
            UpdatedAt = past,
            Source = titleId + ".mp4",
        });
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{first.BaseUrl}/api/titles/{titleId}"))
        {
            delete.Headers.Authorization = new("Bearer", LoneServices.AdminKey);
            using var deleted = await services.Http.SendAsync(delete);
            Assert.True(deleted.IsSuccessStatusCode, $"delete: {(int)deleted.StatusCode}");
        }

        await Eventually.TrueAsync(async () =>
            (await WebhookReceiver.EndpointAsync(services.Http, first.BaseUrl, LoneServices.AdminKey, endpointId))?.GetProperty("deliveries")
                .EnumerateArray().Any(r => r.GetProperty("state").GetString() == "retrying") == true,
            TimeSpan.FromSeconds(15), "the first origin made no attempt");

        first.Signal(Signals.Kill);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        receiver.Start();
        await Task.Delay(2500); // past any retry the dead origin had scheduled: only a live origin can deliver now
        Assert.Empty(receiver.Received);

        // Another origin over the same store and Redis: it knows the endpoint from the store and the delivery from Redis.
        var (second, _) = await services.StartOriginAsync("origin-b", new Dictionary<string, string>(Settings) { ["Media__Root"] = root });
        var delivery = await receiver.WaitForAsync("title.deleted", titleId, TimeSpan.FromSeconds(15));
        Assert.True(WebhookReceiver.SignatureIsValid(delivery, secret));
        var record = (await WebhookReceiver.EndpointAsync(services.Http, second.BaseUrl, LoneServices.AdminKey, endpointId))!.Value
            .GetProperty("deliveries").EnumerateArray().Single();
        Assert.Equal("delivered", record.GetProperty("state").GetString());
        Assert.True(record.GetProperty("attempts").GetInt32() >= 2);
    }
}
