# The layer rules: for every library target of the project, the project
# targets it may link directly (PUBLIC, PRIVATE or INTERFACE). Arrows point
# inward, at ledger::base; a target not in this table, or an edge not allowed
# by it, fails the configure step (ledger_check_layers, called at the end of
# the top-level CMakeLists.txt) and the ctest layer_rules_check. The table
# itself must be acyclic. External libraries (OpenSSL, protobuf, RocksDB, ...)
# are not listed here; tests/tools/check_core_sources.sh keeps them, and any
# I/O, environment, signals or logging, out of the core layers.
#
# Usable from a project (include) and from a script (cmake -P
# cmake/check_layers.cmake).

set(LEDGER_LAYER_TARGETS "")
macro(ledger_allow target)
  list(APPEND LEDGER_LAYER_TARGETS ${target})
  set(LEDGER_ALLOW_${target} ${ARGN})
endmacro()

# --- the core layers (ledger/core/<layer>/) ---
ledger_allow(ledger::base)
ledger_allow(ledger::crypto          ledger::base)
ledger_allow(ledger::merkle          ledger::base)
ledger_allow(ledger::note            ledger::base ledger::crypto ledger::merkle)
ledger_allow(ledger::attestation     ledger::base ledger::crypto)
ledger_allow(ledger::record          ledger::base ledger::crypto ledger::merkle ledger::note)
ledger_allow(ledger::retention       ledger::base ledger::merkle ledger::note ledger::record)
ledger_allow(ledger::sequencer       ledger::base ledger::merkle ledger::note ledger::record
                                     ledger::retention)
ledger_allow(ledger::trust           ledger::base ledger::crypto ledger::note ledger::record
                                     ledger::sequencer)
# The aggregate of the production layers (never attestation_dev or crash_point).
ledger_allow(ledger::core            ledger::base ledger::crypto ledger::merkle ledger::note
                                     ledger::attestation ledger::record ledger::retention
                                     ledger::sequencer ledger::trust)
# Sim and test support: linked only by what runs the sim platform or tests.
ledger_allow(ledger::attestation_dev ledger::base ledger::crypto ledger::attestation)
ledger_allow(ledger::crash_point)
# Daemon plumbing (host-side only: never linked by the core layers or the
# notary enclave).
ledger_allow(ledger::metrics)
ledger_allow(ledger::files           ledger::base)
ledger_allow(ledger::json_log        ledger::base)
ledger_allow(ledger::http_reply      ledger::base ledger::codec)
ledger_allow(ledger::tls             ledger::base ledger::crypto ledger::files)

# --- generated code ---
ledger_allow(schemas::notary_proto)
ledger_allow(schemas::proto)

# --- the notary enclave (trusted): no sim code outside the platform ---
ledger_allow(notary::protocol        schemas::notary_proto ledger::base ledger::crypto ledger::note)
ledger_allow(notary::enclave         notary::protocol ledger::base ledger::crypto ledger::note
                                     ledger::record ledger::sequencer ledger::trust)
ledger_allow(notary::platform_nitro  ledger::base ledger::attestation)
ledger_allow(notary::platform_sim    ledger::base ledger::attestation ledger::attestation_dev)

# --- host-side libraries ---
ledger_allow(ledger::codec           ledger::core schemas::proto)
ledger_allow(ledger::timestamp       ledger::core)
# No JSON in the store (ledger::codec carries nlohmann_json): ledger::api renders its answers.
ledger_allow(ledger::store           ledger::core notary::protocol schemas::proto)
ledger_allow(ledger::store_pg        ledger::core ledger::store)
# Which backend a data directory's ledger.json names (RocksDB or PostgreSQL).
ledger_allow(ledger::store_open      ledger::core ledger::store ledger::store_pg ledger::files)
ledger_allow(ledger::api             ledger::core ledger::store ledger::codec)
# Static tlog-tiles publishing: the LogStore API only, no storage backend.
ledger_allow(ledger::publish         ledger::core ledger::store ledger::files)
ledger_allow(ledger::bundle          ledger::core ledger::codec ledger::timestamp)
ledger_allow(ledger::export          ledger::core ledger::bundle ledger::store ledger::codec)
ledger_allow(ledger::notary_client   ledger::core notary::protocol)
ledger_allow(ledger::notary_host     ledger::core ledger::store ledger::notary_client notary::protocol
                                     ledger::crash_point ledger::files)
ledger_allow(ledger::witness_client  ledger::core ledger::tls)
ledger_allow(anchor::evm             ledger::core)
ledger_allow(anchor::anchord_record  ledger::core anchor::evm)
ledger_allow(anchor::verify          ledger::core anchor::anchord_record anchor::evm ledger::timestamp)

# --- daemons and tools (nothing depends on them but their binaries and tests) ---
ledger_allow(ledger::ledgerd         ledger::core ledger::store ledger::store_open ledger::api ledger::notary_host
                                     ledger::witness_client ledger::codec ledger::export ledger::timestamp
                                     schemas::proto ledger::crash_point ledger::metrics ledger::files
                                     ledger::http_reply ledger::json_log ledger::tls)
ledger_allow(anchor::anchord         ledger::core anchor::anchord_record anchor::evm ledger::timestamp
                                     ledger::crash_point ledger::metrics ledger::files ledger::json_log
                                     ledger::tls)
ledger_allow(anchor::witness         ledger::core ledger::crash_point ledger::metrics ledger::files
                                     ledger::tls)
ledger_allow(explorer::server        ledger::core ledger::store ledger::store_open ledger::publish ledger::api ledger::codec ledger::metrics
                                     ledger::files ledger::http_reply ledger::tls)
ledger_allow(ledger::cli             ledger::core ledger::attestation_dev ledger::store ledger::store_open ledger::publish ledger::codec
                                     ledger::timestamp ledger::bundle ledger::export ledger::files
                                     ledger::notary_client ledger::notary_host notary::protocol
                                     anchor::verify anchor::evm)

# ledger_check_layer_edges(<list of "from>to" edges> <list of targets>)
# Fails (FATAL_ERROR) on a target without a rule, an edge the rules do not
# allow, or a cycle in the rules.
function(ledger_check_layer_edges edges targets)
  set(errors "")
  foreach(t IN LISTS targets)
    if(NOT t IN_LIST LEDGER_LAYER_TARGETS)
      string(APPEND errors "  ${t}: no rule in cmake/LedgerLayers.cmake\n")
    endif()
  endforeach()
  foreach(edge IN LISTS edges)
    string(REPLACE ">" ";" pair "${edge}")
    list(GET pair 0 from)
    list(GET pair 1 to)
    if(from IN_LIST LEDGER_LAYER_TARGETS AND NOT to IN_LIST LEDGER_ALLOW_${from})
      string(APPEND errors "  ${from} links ${to}, which its rule does not allow\n")
    endif()
  endforeach()
  # The rules form a DAG: repeatedly remove targets whose allowed deps are all removed.
  set(left ${LEDGER_LAYER_TARGETS})
  set(done "")
  set(progress TRUE)
  while(left AND progress)
    set(progress FALSE)
    foreach(t IN LISTS left)
      set(ready TRUE)
      foreach(d IN LISTS LEDGER_ALLOW_${t})
        if(NOT d IN_LIST done)
          set(ready FALSE)
        endif()
      endforeach()
      if(ready)
        list(APPEND done ${t})
        list(REMOVE_ITEM left ${t})
        set(progress TRUE)
      endif()
    endforeach()
  endwhile()
  if(left)
    string(APPEND errors "  the rules have a cycle or name an unknown target among: ${left}\n")
  endif()
  if(errors)
    message(FATAL_ERROR "layer rules violated:\n${errors}")
  endif()
endfunction()

# Project mode: reads the link interface of every registered library, writes
# the edges to ${CMAKE_BINARY_DIR}/ledger_layer_edges.txt (for the ctest
# check) and checks them.
function(ledger_check_layers)
  get_property(targets GLOBAL PROPERTY LEDGER_LIBRARY_TARGETS)
  # Real name -> alias, so that a dependency named either way is recognised.
  foreach(t IN LISTS targets)
    get_target_property(real ${t} ALIASED_TARGET)
    set(alias_of_${real} ${t})
  endforeach()
  set(edges "")
  foreach(t IN LISTS targets)
    get_target_property(real ${t} ALIASED_TARGET)
    get_target_property(type ${real} TYPE)
    set(deps "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(link ${real} LINK_LIBRARIES)
      if(link)
        list(APPEND deps ${link})
      endif()
    endif()
    get_target_property(iface ${real} INTERFACE_LINK_LIBRARIES)
    if(iface)
      list(APPEND deps ${iface})
    endif()
    foreach(d IN LISTS deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" d "${d}")
      if(DEFINED alias_of_${d})
        set(d ${alias_of_${d}})
      endif()
      if(d IN_LIST targets)
        list(APPEND edges "${t}>${d}")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES edges)
  list(JOIN edges "\n" text)
  list(JOIN targets "\n" target_text)
  file(WRITE ${CMAKE_BINARY_DIR}/ledger_layer_edges.txt "# targets\n${target_text}\n# edges\n${text}\n")
  ledger_check_layer_edges("${edges}" "${targets}")
endfunction()
