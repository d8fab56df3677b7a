using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Origin;

/// <summary>Webhooks on the shared stack (real origin, transcoder, ffmpeg, redis-server), received by an HttpListener on loopback.</summary>
[Collection(StackDefinition.Name)]
public sealed class WebhookTests(StackFixture stack)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Upload_TitleBecomesReady_SignedTitleReadyDelivered()
    {
        using var receiver = new WebhookReceiver().Start();
        var (id, secret) = await WebhookReceiver.RegisterAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, receiver.Url, "title.ready");
        try
        {
            var clip = await Media.ClipAsync(Path.Combine(stack.Work, "webhook-ready.mp4"), 320, 180, 2);
            var title = await stack.UploadAndWaitAsync(clip);
            Assert.Equal(TitleStatus.Ready, title.Status);

            var delivery = await receiver.WaitForAsync("title.ready", title.Id, Wait);
            Assert.True(WebhookReceiver.SignatureIsValid(delivery, secret), $"bad signature '{delivery.Signature}'");
            Assert.False(WebhookReceiver.SignatureIsValid(delivery, secret + "x"));
            Assert.StartsWith("application/json", delivery.ContentType, StringComparison.Ordinal);
            var json = delivery.Json;
            Assert.Equal(json.GetProperty("id").GetString(), delivery.EventId);
            Assert.True(json.GetProperty("created").TryGetDateTimeOffset(out _));
            var data = json.GetProperty("data");
            Assert.Equal("ready", data.GetProperty("status").GetString());
            Assert.Equal($"/play/{title.Id}/master.m3u8", data.GetProperty("playbackUrl").GetString());
            Assert.Equal(title.Renditions.Count, data.GetProperty("renditions").GetArrayLength());

            // Once per endpoint: the origin keeps scanning the catalog, and nothing more arrives for this title.
            await Task.Delay(1000);
            Assert.Single(receiver.Received, d => d.TitleId == title.Id);
            var endpoint = (await WebhookReceiver.EndpointAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, id))!.Value;
            Assert.False(endpoint.TryGetProperty("secret", out _)); // shown once, at registration
            var record = endpoint.GetProperty("deliveries").EnumerateArray().Single();
            Assert.Equal("delivered", record.GetProperty("state").GetString());
            Assert.Equal(204, record.GetProperty("statusCode").GetInt32());
            Assert.Equal(1, record.GetProperty("attempts").GetInt32());
        }
        finally
        {
            await WebhookReceiver.DeleteAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, id);
        }
    }

    [Fact]
    public async Task DeleteTitle_TitleDeletedDelivered()
    {
        using var receiver = new WebhookReceiver().Start();
        var (id, secret) = await WebhookReceiver.RegisterAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, receiver.Url);
        try
        {
            var titleId = await FailedTitleAsync();
            await DeleteTitleAsync(titleId);

            var delivery = await receiver.WaitForAsync("title.deleted", titleId, Wait);
            Assert.True(WebhookReceiver.SignatureIsValid(delivery, secret));
            Assert.Equal("failed", delivery.Json.GetProperty("data").GetProperty("status").GetString());
            await Task.Delay(500);
            Assert.Single(receiver.Received); // the failure happened before the endpoint existed: not announced to it
        }
        finally
        {
            await WebhookReceiver.DeleteAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, id);
        }
    }

    [Fact]
    public async Task Delivery_ReceiverDownAtFirst_ArrivesOnceItIsUp()
    {
        using var receiver = new WebhookReceiver(); // not started: connections to its port are refused
        var (id, secret) = await WebhookReceiver.RegisterAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, receiver.Url, "title.deleted");
        try
        {
            var titleId = await FailedTitleAsync();
            await DeleteTitleAsync(titleId);
            JsonElement failed = default;
            await Eventually.TrueAsync(async () =>
                (await WebhookReceiver.EndpointAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, id))?.GetProperty("deliveries")
                    .EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } record && (failed = record).GetProperty("state").GetString() == "retrying",
                Wait, "the first attempt was not recorded as failed");
            Assert.Contains("refused", failed.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);

            receiver.Start();
            var delivery = await receiver.WaitForAsync("title.deleted", titleId, Wait);
            Assert.True(WebhookReceiver.SignatureIsValid(delivery, secret));
            await Eventually.TrueAsync(async () =>
                (await WebhookReceiver.EndpointAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, id))!.Value.GetProperty("deliveries")
                    .EnumerateArray().First() is var record && record.GetProperty("state").GetString() == "delivered" && record.GetProperty("attempts").GetInt32() >= 2,
                Wait, "the delivery was not recorded as delivered after a retry");
        }
        finally
        {
            await WebhookReceiver.DeleteAsync(stack.Http, stack.Origin.BaseUrl, StackFixture.AdminKey, id);
        }
    }

    [Theory]
    [InlineData("http://10.0.0.1/hook", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::1]:8080/hook", "loopback")] // only 127.0.0.0/8 is allowed in the tests
    [InlineData("http://[::ffff:192.168.0.1]/hook", "private")]
    [InlineData("ftp://127.0.0.1/hook", "scheme")]
    public async Task Register_RefusedTarget_Is422WithTheReason(string url, string reason)
    {
        using var request = StackFixture.AdminRequest(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/webhooks");
        request.Content = JsonContent.Create(new { url });
        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains(reason, detail, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(stack.MediaRoot, "webhooks")) ? Directory.GetFiles(Path.Combine(stack.MediaRoot, "webhooks"), "*.json")
            .Where(f => File.ReadAllText(f).Contains(url, StringComparison.Ordinal)) : []);
    }

    [Fact]
    public async Task Webhooks_WithoutAdminKey_Are401()
    {
        using var post = await stack.Http.PostAsJsonAsync($"{stack.Origin.BaseUrl}/api/webhooks", new { url = "http://127.0.0.1:9/" });
        using var list = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/api/webhooks");
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
    }

    /// <summary>A failed title written straight into the store, its failure in the past (no transcoding needed).</summary>
    private async Task<string> FailedTitleAsync()
    {
        var id = TitleId.New();
        var past = DateTimeOffset.UtcNow.AddMinutes(-5);
        await stack.Store.WriteTitleAsync(new Title
        {
            Id = id,
            Name = "webhook",
            Status = TitleStatus.Failed,
            Error = "test",
            CreatedAt = past,
            UpdatedAt = past,
            Source = id + ".mp4",
        });
        return id;
    }

    private async Task DeleteTitleAsync(string titleId)
    {
        using var response = await stack.Http.SendAsync(StackFixture.AdminRequest(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{titleId}"));
        Assert.True(response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Accepted, $"delete: {(int)response.StatusCode}");
    }
}
