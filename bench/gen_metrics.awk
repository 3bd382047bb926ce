# bench/gen_metrics.awk: a large Prometheus /metrics body shaped like
# client_golang's text exposition (0.0.4) of a busy Go service: HELP and
# TYPE lines, families in name order, label names sorted with a
# histogram's `le` last, values as Go's strconv 'g' prints them, the Go
# runtime's and process collectors' own families first.
#
#   awk -v series=110000 -f bench/gen_metrics.awk > metrics.txt
#
# `series` is how many sample lines to write, about (the last family
# stops when it is reached); the result is about 82 bytes a series.
# Deterministic: the same `series` gives the same bytes.
function help(name, type, text) {
    printf "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type
}
function sample(line) {
    print line
    written++
}
function value(k) {
    # a spread of what Go's %g gives: integers, decimals, exponents
    k = (k * 7919 + 13) % 1000003
    if (k % 3 == 0) return k
    if (k % 3 == 1) return sprintf("%.6g", k / 1000.0)
    return sprintf("%.6e", k * 1234.5)
}
function go_runtime(   i) {
    help("go_gc_duration_seconds", "summary", "A summary of the pause duration of garbage collection cycles.")
    split("0 0.25 0.5 0.75 1", q, " ")
    for (i = 1; i <= 5; i++)
        sample("go_gc_duration_seconds{quantile=\"" q[i] "\"} " i * 1.5 "e-05")
    sample("go_gc_duration_seconds_sum 0.004732117")
    sample("go_gc_duration_seconds_count 231")
    help("go_goroutines", "gauge", "Number of goroutines that currently exist.")
    sample("go_goroutines 10342")
    help("go_info", "gauge", "Information about the Go environment.")
    sample("go_info{version=\"go1.19.8\"} 1")
    split("alloc_bytes heap_alloc_bytes heap_idle_bytes heap_inuse_bytes heap_objects " \
          "heap_released_bytes heap_sys_bytes mallocs_total frees_total stack_inuse_bytes " \
          "stack_sys_bytes sys_bytes next_gc_bytes", m, " ")
    for (i = 1; i <= 13; i++) {
        help("go_memstats_" m[i], m[i] ~ /_total$/ ? "counter" : "gauge", "Number of bytes or objects, see runtime.MemStats.")
        sample("go_memstats_" m[i] " " value(i + 100))
    }
    help("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
    sample("process_cpu_seconds_total 4312.57")
    help("process_open_fds", "gauge", "Number of open file descriptors.")
    sample("process_open_fds 1207")
    help("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
    sample("process_resident_memory_bytes 2.14016e+08")
}
# an HTTP histogram: code x handler x method, 12 buckets, _sum, _count
function http_histogram(name, text, nh,   b, c, h, k, m, labels) {
    help(name, "histogram", text)
    split("0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf", le, " ")
    split("200 201 404 500 503", code, " ")
    split("DELETE GET POST PUT", meth, " ")
    for (h = 0; h < nh && written < series; h++)
        for (c = 1; c <= 5; c++)
            for (m = 1; m <= 4; m++) {
                labels = "code=\"" code[c] "\",handler=\"/" res[h % 37] "/" \
                         sub_res[int(h / 37) % 23] "\",method=\"" meth[m] "\""
                for (b = 1; b <= 12; b++)
                    sample(name "_bucket{" labels ",le=\"" le[b] "\"} " value(k++))
                sample(name "_sum{" labels "} " value(k++) * 0.125)
                sample(name "_count{" labels "} " value(k++))
            }
}
# a counter per tenant and shard: short lines, high cardinality
function cache_counters(n,   i) {
    help("cache_evictions_total", "counter", "Evictions from the tenant caches.")
    for (i = 0; i < n && written < series; i++)
        sample("cache_evictions_total{shard=\"" i % 64 "\",tenant=\"t-" sprintf("%05d", i) "\"} " value(i))
}
# gRPC server counters, with a label value that needs escaping now and then
function grpc_handled(n,   i, svc) {
    help("grpc_server_handled_total", "counter", "Total number of RPCs completed on the server, regardless of success or failure.")
    for (i = 0; i < n && written < series; i++) {
        svc = i % 97 == 0 ? "legacy.\\\"quoted\\\"\\\\Service" : "shop.v1." res[i % 37] "Service"
        sample("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Get" sub_res[i % 23] \
               "\",grpc_service=\"" svc "\",grpc_type=\"unary\"} " value(i))
    }
}
BEGIN {
    if (series == "")
        series = 110000
    split("orders carts users payments invoices shipments products reviews coupons " \
          "sessions tokens accounts stores regions warehouses returns refunds carriers " \
          "addresses wishlists prices taxes discounts bundles categories brands suppliers " \
          "audits exports imports reports webhooks events jobs notifications settings teams", res, " ")
    for (i = 37; i >= 1; i--) res[i % 37] = res[i]
    split("items notes history status lines parts owners tags links attachments comments " \
          "metadata versions permissions limits quotas events logs metrics alerts traces spans roles", sub_res, " ")
    for (i = 23; i >= 1; i--) sub_res[i % 23] = sub_res[i]
    written = 0
    go_runtime()
    cache_counters(int(series * 0.5))
    grpc_handled(int(series * 0.12))
    http_histogram("http_request_duration_seconds", "A histogram of latencies for requests.", 999)
    http_histogram("http_response_size_bytes", "A histogram of response sizes for requests.", 999)
}
