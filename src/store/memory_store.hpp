// The in-memory run store, the default (docs/design.md §20): the seen set and
// nothing else, because the driver's frontier already holds the pending
// requests and the run's result holds its failures. Every report comes from
// inside the call that caused it. Nothing survives the process.
#pragma once

#include "store/run_store.hpp"
#include "store/seen_set.hpp"

namespace uvscrape::store {

class MemoryStore final : public RunStore {
 public:
  void open(const RunIdentity& identity, Listener& listener) override;
  void started(RequestId, int) override {}
  void commit(Completion completion) override;
  void close(const std::string& status) override;
  bool durable() const noexcept override { return false; }

 private:
  Listener* listener_ = nullptr;
  SeenSet seen_;
  RequestId next_id_ = 1;
};

// Assigns ids to `children` and drops (id 0) those whose key `seen` already
// holds; records the keys of the admitted ones. (The SQLite store dedups
// against its seen table instead, on its writer thread.)
void admit_children(std::vector<Child>& children, SeenSet& seen, RequestId& next_id);

}  // namespace uvscrape::store
