namespace Vod.Edge.Caching;

internal static class CachingExtensions
{
    public static IServiceCollection AddSliceCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MemoryEdgeCacheStore>();
        services.AddSingleton<RedisEdgeCacheStore>();
        services.AddSingleton<SliceCache>();
        services.AddHostedService<PurgeListener>();
        return services;
    }
}
