using Vod.Edge.Caching;
using Vod.Edge.Delivery;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;
using Vod.Edge.Registry;
using Vod.ServiceDefaults;

KestrelTuning.PreferInlineSocketCompletions();

// appsettings.json is read from beside the binary, whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults(redisRequiredForReady: false);
builder.Services.AddOriginClient(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<OriginHealthCheck>("origin", tags: [HostingDefaults.ReadyTag]);
builder.Services.AddSliceCache(builder.Configuration);
builder.Services.AddMediaDelivery(builder.Configuration);
builder.Services.AddEdgeMetrics();
builder.Services.AddEdgeRegistration(builder.Configuration);
builder.WebHost.UseEdgeKestrelTuning();
builder.Logging.DropLogLinesRatherThanWait();

var app = builder.Build();
app.UseMediaDelivery();
app.UseRouting();
app.MapServiceDefaults();
app.Run();
