package io.socialcrm.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the off-heap memory of every RocksDB store of the JVM together: one shared LRU block cache
 * (which also holds index and filter blocks) and one write-buffer manager that charges memtables to
 * that cache. Without it each store allocates its own, and memory grows with the number of stores
 * and partitions until the process is killed. The total is {@code rocksdb.memory} (default 128 MB).
 *
 * <p>A deleted key (a revocation, an erasure) stays in RocksDB's files, shadowed by a delete marker,
 * until a compaction rewrites them; periodic compaction rewrites every file older than
 * {@code rocksdb.purge.interval} (default one day), which bounds how long erased data is still
 * physically on the disk of the state directory.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    /** Streams config key carrying the byte total (set by {@link StreamsProperties}). */
    public static final String TOTAL_BYTES = "socialcrm.rocksdb.memory.bytes";
    /** Streams config key carrying {@code rocksdb.purge.interval} in seconds. */
    public static final String PURGE_SECONDS = "socialcrm.rocksdb.purge.seconds";
    private static final double WRITE_BUFFER_SHARE = 0.25;
    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long cacheBytes;
    /** Stateless, so one serves every store, and lives as long as the JVM like the cache. */
    private static BloomFilter filter;

    private static synchronized void ensure(long total) {
        if (cache == null) {
            cacheBytes = total;
            cache = new LRUCache(total, -1, false, 0.1);
            writeBuffers = new WriteBufferManager((long) (total * WRITE_BUFFER_SHARE), cache);
            filter = new BloomFilter(10, false);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(TOTAL_BYTES);
        long total = configured == null ? 128L << 20 : Long.parseLong(configured.toString());
        ensure(total);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setWriteBufferSize(Math.max(1L << 20, Math.min(16L << 20, (long) (cacheBytes * WRITE_BUFFER_SHARE / 8))));
        options.setMaxWriteBufferNumber(2);
        Object purge = configs.get(PURGE_SECONDS);
        options.setPeriodicCompactionSeconds(purge == null ? 86_400 : Long.parseLong(purge.toString()));
        // Kafka Streams' defaults suit write-heavy, short-lived stores: no compression, universal
        // compaction (up to twice the space), no bloom filter on the last level. These stores are
        // read on every event and live for months: compress blocks (LZ4, ZSTD at the bottom), level
        // compaction with dynamic level sizes (about 10 % space overhead), and bloom filters on every
        // level and in the memtable, so that a point lookup of a key that is not there (a customer
        // seen for the first time, an account without consent) seldom touches a data block.
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
        options.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
        options.setCompactionStyle(CompactionStyle.LEVEL);
        options.setLevelCompactionDynamicLevelBytes(true);
        options.setOptimizeFiltersForHits(false);
        options.setMemtablePrefixBloomSizeRatio(0.1);
        options.setMemtableWholeKeyFiltering(true);
        table.setFilterPolicy(filter);
        table.setWholeKeyFiltering(true);
        table.setBlockSize(16 * 1024);
        // Filters and indexes in partitions of about 4 KB, their top level pinned in the cache. A
        // file's whole filter is about 1.2 bytes a key, and the cache is split in shards of 2 MB
        // (128 MB / 64): a filter larger than a shard (a file of 1.7 M keys or more: the
        // de-duplication index of a busy task, the customer states of a large population) was never
        // kept, and every lookup read it whole from the file again. A lookup of a missing key in
        // a file of 3 M keys took 230 us that way, 6 us with partitions.
        table.setPartitionFilters(true);
        table.setIndexType(IndexType.kTwoLevelIndexSearch);
        table.setMetadataBlockSize(4 * 1024);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and write-buffer manager are shared by every store: they live as long as the JVM
    }
}
