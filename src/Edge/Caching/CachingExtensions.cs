using Vod.Common.Hosting;
namespace Vod.Edge.Caching;

internal static class CachingExtensions
{
    public static IServiceCollection AddSliceCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CacheOptions>(configuration, CacheOptions.Section);
        services.AddSingleton<MemoryEdgeCacheStore>();
        services.AddSingleton<RedisEdgeCacheStore>();
        services.AddSingleton<SliceCache>();
        services.AddHostedService<PurgeListener>();
        return services;
    }
}
