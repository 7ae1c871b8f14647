#include <gtest/gtest.h>

#include "http/transfer_state.hpp"

namespace uvscrape::http {
namespace {

TEST(TransferStates, FinishedIsFinal) {
  using S = TransferState;
  for (S to :
       {S::pending, S::queued, S::connecting, S::awaiting, S::receiving, S::paused, S::finished}) {
    EXPECT_FALSE(is_allowed(S::finished, to)) << to_string(to);
  }
  for (S from : {S::pending, S::queued, S::connecting, S::awaiting, S::receiving, S::paused}) {
    EXPECT_TRUE(is_allowed(from, S::finished)) << to_string(from);
  }
}

TEST(TransferStates, OnlyReceivingPausesAndPausedOnlyResumes) {
  using S = TransferState;
  EXPECT_TRUE(is_allowed(S::receiving, S::paused));
  EXPECT_FALSE(is_allowed(S::awaiting, S::paused));
  EXPECT_TRUE(is_allowed(S::paused, S::receiving));
  EXPECT_FALSE(is_allowed(S::paused, S::awaiting));
}

TEST(ConnectionStates, ClosingIsFinal) {
  using C = ConnectionState;
  for (C to : {C::connecting, C::busy, C::idle, C::closing})
    EXPECT_FALSE(is_allowed(C::closing, to));
  EXPECT_FALSE(is_allowed(C::connecting, C::idle));  // a fresh connection first carries its request
  EXPECT_TRUE(is_allowed(C::idle, C::busy));
}

}  // namespace
}  // namespace uvscrape::http
