#include <gtest/gtest.h>
#include "support/emulator.h"
TEST(Smoke, Placeholder) { SUCCEED(); }
